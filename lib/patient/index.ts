export * from './component-distance';
export * from './lesion-phenotype';
export * from './logistic-regression';
export * from './lesion-candidates';
export * from './patient-model';
export * from './fit';
