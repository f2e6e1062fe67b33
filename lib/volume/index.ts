export * from './volume';
export * from './affine';
export * from './orientation';
export {
  gridWithSpacing,
  resample,
  resampleToGrid,
  type Interpolation,
  type ResampleOptions,
  type VoxelGrid,
} from './resample';
export * from './components';
export * from './crop';
export * from './normalise';
export * from './slices';
export * from './distance-transform';
export * from './views';
