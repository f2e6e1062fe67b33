export * from './html';
export * from './views';
export * from './stats';
export * from './figures';
export * from './report';
