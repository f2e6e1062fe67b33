export * from './lesion-phenotype';
export * from './logistic-regression';
export * from './lesion-candidates';
