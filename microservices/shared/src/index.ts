export * from './events/contracts';
export * from './messaging/index';
export * from './config';
export * from './db';
export * from './http';
export * from './checker';
export * from './process';
export * from './service';
