// What the app uses of the lab module.
export { labRoutes } from './entry-points/lab.routes';
export { monolithFaults } from './domain/faults';
