export * from './dtypes';
export * from './reader';
export * from './weightSet';
export * from './writer';
