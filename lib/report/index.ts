export * from './html';
export * from './views';
