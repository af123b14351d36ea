export * from './session';
export * from './providers';
export * from './precision';
