/** The trades domain: the trade and its lifecycle, request schemas, cursors and fingerprints. No I/O. */
export * from './trade';
export * from './trade-request';
export * from './cursor';
export * from './time-key';
export * from './request-fingerprint';
export * from './csv';
export * from './ownership';
