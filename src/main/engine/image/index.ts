export * from './rgb';
export * from './preview';
export * from './png';
export * from './infotext';
export * from './metadata';
export type { LabelledText } from './foreign';
