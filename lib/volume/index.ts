export * from './volume';
export * from './affine';
export * from './orientation';
export * from './resample';
export * from './components';
export * from './crop';
export * from './normalise';
export * from './slices';
