export * from './nifti-header';
export * from './nifti-affine';
export * from './nifti-read';
export * from './nifti-write';
export { decodePng, type GreyImage } from './png';
export * from './png-stack';
