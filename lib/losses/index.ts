export * from './bce';
export * from './cross-entropy';
export * from './dice';
export * from './focal';
export * from './task-losses';
