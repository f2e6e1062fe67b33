export * from './strategy';
export * from './fixed';
export * from './uncertainty';
export * from './uncertainty-positive';
export * from './dwa';
export * from './gradnorm';
export * from './create';
export * from './log-variance';
