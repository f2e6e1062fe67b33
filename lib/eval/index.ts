export * from './aggregate';
export * from './predict';
export * from './evaluate';
export * from './results';
export * from './run';
export * from './tta';
export * from './adapt-bn';
export * from './saliency';
