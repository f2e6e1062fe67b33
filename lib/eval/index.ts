export * from './predict';
export * from './evaluate';
export * from './results';
export * from './run';
export * from './train-run';
export * from './patient-model';
export * from './fit-patient-model';
