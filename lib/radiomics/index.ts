export * from './lesion-phenotype';
export * from './logistic-regression';
