export * from './primitives';
export * from './schemas';
export * from './openapi';
