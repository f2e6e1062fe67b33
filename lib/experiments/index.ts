export * from './grid';
export * from './results';
export * from './cohorts';
export * from './ablation';
export * from './study';
export * from './train-run';
