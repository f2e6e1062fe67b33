export * from './html';
export * from './stats';
export * from './figures';
export * from './report';
export * from './paper';
