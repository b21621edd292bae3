export * from './topics';
export * from './reference';
export * from './trade';
