export * from './fixtures';
export * from './generate';
export * from './markets';
export * from './random';
