export * from './primitives';
export * from './schemas';
export * from './openapi';
export * from './checks';
export * from './faults';
export * from './patterns';
export * from './provider';
export * from './fixes';
