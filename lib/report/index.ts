export * from './html';
export * from '../volume/views';
export * from './stats';
export * from './figures';
export * from './report';
