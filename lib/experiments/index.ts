export * from './grid';
export * from './results';
export * from './cohorts';
