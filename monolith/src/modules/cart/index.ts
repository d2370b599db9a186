// What other modules may use of the cart module: they import from here, never from its folders.
export { CartEntity, CartItemEntity } from './data-access/cart.entity';
export { cartRepository } from './data-access/cart.repository';
export { cartRoutes } from './entry-points/cart.routes';
