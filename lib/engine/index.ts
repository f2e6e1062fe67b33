export * from './backend';
export * from './model-file';
export * from './ops/batch-norm';
