export * from './events/contracts';
export * from './messaging/index';
export * from './config';
export * from './db';
export * from './http';
export * from './process';
export * from './service';
export * from './http-client';
