/** Paired statistics comparing two model variants evaluated on the same patients. */
export * from './normal';
export * from './paired-difference';
export * from './wilcoxon';
export * from './delong';
export * from './mcnemar';
export * from './holm';
export * from './power';
