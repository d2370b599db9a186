import { errors } from '@checkout-lab/kit';
import type { DataSource } from 'typeorm';
import { getProduct } from '../../products';
import { type Cart, cartRepository } from '../data-access/cart.repository';

export const MAX_LINE_QUANTITY = 1000;

function assertInStock(product: { id: number; stock: number }, quantity: number): void {
  if (quantity > product.stock) {
    throw errors.conflict('OUT_OF_STOCK', `Only ${product.stock} of product ${product.id} left`, {
      product_id: product.id,
      requested: quantity,
      available: product.stock,
    });
  }
}

/** Adds quantity to the line (quantities add up); the stock is checked here and again, under a lock, at checkout. */
export async function addToCart(db: DataSource, userId: number, productId: number, quantity: number): Promise<Cart> {
  const product = await getProduct(db, productId);
  await db.transaction(async (manager) => {
    const carts = cartRepository(manager);
    const cartId = await carts.ensureCartId(userId);
    const wanted = (await carts.quantityOf(cartId, productId)) + quantity;
    if (wanted > MAX_LINE_QUANTITY) {
      throw errors.validation([{ field: 'quantity', message: `at most ${MAX_LINE_QUANTITY} per product in a cart` }]);
    }
    assertInStock(product, wanted);
    await carts.setQuantity(cartId, productId, wanted);
  });
  return cartRepository(db).read(userId);
}

export async function changeQuantity(db: DataSource, userId: number, productId: number, quantity: number) {
  const product = await getProduct(db, productId);
  await db.transaction(async (manager) => {
    const carts = cartRepository(manager);
    const cartId = await carts.ensureCartId(userId);
    if ((await carts.quantityOf(cartId, productId)) === 0) throw errors.notFound(`Product ${productId} in the cart`);
    assertInStock(product, quantity);
    await carts.setQuantity(cartId, productId, quantity);
  });
  return cartRepository(db).read(userId);
}

export async function removeFromCart(db: DataSource, userId: number, productId: number): Promise<Cart> {
  if (!(await cartRepository(db).removeItem(userId, productId))) {
    throw errors.notFound(`Product ${productId} in the cart`);
  }
  return cartRepository(db).read(userId);
}
