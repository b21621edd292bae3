export * from './changes';
export * from './cursor';
export * from './field-issues';
export * from './requests';
export * from './rules';
export * from './updates';
