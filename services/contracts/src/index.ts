export * from './topics';
export * from './reference';
export * from './tick-grid';
export * from './trade';
