export * from './nifti-header';
export { parseNiftiHeader } from './nifti-parse';
export * from './nifti-affine';
export * from './nifti-read';
export * from './nifti-write';
export * from './non-finite';
export { decodePng, type GreyImage } from './png';
export * from './png-stack';
