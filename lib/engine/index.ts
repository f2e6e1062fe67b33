export * from './backend';
export * from './model-file';
