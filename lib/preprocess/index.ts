export * from './config';
export * from './prepare-case';
