export * from './config';
export * from './optimizer';
export * from './early-stopping';
export * from './progress';
export * from './checkpoint';
export * from './run-folder';
export * from './trainer';
export * from './schedule';
