import { type Db, managerOf } from '../../../shared/db';
import { fromCents, toCents } from '../../../shared/money';
import { ProductEntity } from '../../products';
import { CartEntity, CartItemEntity } from './cart.entity';

export interface CartLine {
  product_id: number;
  name: string;
  price: string;
  quantity: number;
  line_total: string;
}

export interface Cart {
  items: CartLine[];
  total: string;
}

export function cartRepository(db: Db) {
  const manager = managerOf(db);
  const carts = manager.getRepository(CartEntity);
  const items = manager.getRepository(CartItemEntity);
  // The id of the user's cart, as a subquery of the DELETEs below (a DELETE cannot join).
  const cartIdOf = (userId: number) =>
    carts.createQueryBuilder('c').select('c.id').where('c.user_id = :userId', { userId });

  return {
    /**
     * The user's cart id, creating the cart on first use (one cart per user, the unique index decides). On a second
     * call the upsert updates the cart row, so a cart edit waits here while a checkout holds that row's lock.
     */
    async ensureCartId(userId: number): Promise<number> {
      const result = await carts
        .createQueryBuilder()
        .insert()
        .values({ user_id: userId })
        .orUpdate(['updated_at'], ['user_id'])
        .returning('id')
        .execute();
      return (result.raw as { id: number }[])[0].id;
    },
    /**
     * Locks the user's cart row until the transaction ends (TypeORM's pessimistic lock, FOR UPDATE):
     * SELECT "c"."id" AS "c_id" FROM "carts" "c" WHERE "c"."user_id" = $1 FOR UPDATE
     */
    async lock(userId: number): Promise<void> {
      await carts
        .createQueryBuilder('c')
        .select('c.id')
        .where('c.user_id = :userId', { userId })
        .setLock('pessimistic_write')
        .getOne();
    },
    /** The cart's lines with the products' current names and prices, in product id order. */
    lines(userId: number): Promise<Omit<CartLine, 'line_total'>[]> {
      return items
        .createQueryBuilder('ci')
        .innerJoin(CartEntity.options.name, 'c', 'c.id = ci.cart_id')
        .innerJoin(ProductEntity.options.name, 'p', 'p.id = ci.product_id')
        .select('ci.product_id', 'product_id')
        .addSelect('p.name', 'name')
        .addSelect('p.price', 'price')
        .addSelect('ci.quantity', 'quantity')
        .where('c.user_id = :userId', { userId })
        .orderBy('ci.product_id')
        .getRawMany();
    },
    async read(userId: number): Promise<Cart> {
      let total = 0;
      const lines = (await this.lines(userId)).map((line) => {
        const lineTotal = toCents(line.price) * line.quantity;
        total += lineTotal;
        return { ...line, line_total: fromCents(lineTotal) };
      });
      return { items: lines, total: fromCents(total) };
    },
    async quantityOf(cartId: number, productId: number): Promise<number> {
      const item = await items.findOne({
        select: { quantity: true },
        where: { cart_id: cartId, product_id: productId },
      });
      return item?.quantity ?? 0;
    },
    async setQuantity(cartId: number, productId: number, quantity: number): Promise<void> {
      await items.upsert({ cart_id: cartId, product_id: productId, quantity }, ['cart_id', 'product_id']);
    },
    /** False when the product was not in the cart. */
    async removeItem(userId: number, productId: number): Promise<boolean> {
      const { affected } = await items
        .createQueryBuilder()
        .delete()
        .where('product_id = :productId', { productId })
        .andWhere(`cart_id IN (${cartIdOf(userId).getQuery()})`, { userId })
        .execute();
      return (affected ?? 0) > 0;
    },
    /** Empties the user's cart (checkout, step 11); the cart row itself stays. */
    async clear(userId: number): Promise<void> {
      await items
        .createQueryBuilder()
        .delete()
        .where(`cart_id IN (${cartIdOf(userId).getQuery()})`, { userId })
        .execute();
    },
  };
}
