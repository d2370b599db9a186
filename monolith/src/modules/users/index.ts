// What other modules may use of the users module; they import from here, never from its folders.
export { UserEntity, type UserRow } from './data-access/user.entity';
export { type PublicUser, toPublicUser, userRepository } from './data-access/user.repository';
export { currentUser, requireAdmin, requireUser } from './entry-points/auth.middleware';
export { authRoutes } from './entry-points/auth.routes';
