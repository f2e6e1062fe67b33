export * from './volume';
export * from './affine';
export * from './orientation';
export * from './resample';
export * from './components';
