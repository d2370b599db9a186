import type { Product, Review } from '@checkout-lab/contract';
import type { SelectQueryBuilder } from 'typeorm';
import { type Db, managerOf } from '../../../shared/db';
import { toJson } from '../../../shared/json';
import {
  CategoryEntity,
  type CategoryRow,
  InventoryEntity,
  ProductEntity,
  type ProductRow,
  ReviewEntity,
  type ReviewRow,
} from './catalog.entity';

export function toCategory(row: CategoryRow) {
  return { id: row.id, name: row.name, description: row.description };
}

function toReview(row: ReviewRow): Review {
  return toJson(row, ['id', 'user_id', 'rating', 'comment']);
}

/** Only the keys that were sent: TypeORM's update writes every key it is given. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function catalogRepository(db: Db) {
  const manager = managerOf(db);
  const categories = manager.getRepository(CategoryEntity);
  const products = manager.getRepository(ProductEntity);
  const inventory = manager.getRepository(InventoryEntity);
  const reviews = manager.getRepository(ReviewEntity);

  // A product and its stock read together; stock is the inventory row checkout locks.
  const productsWithStock = (): SelectQueryBuilder<ProductRow> =>
    products
      .createQueryBuilder('p')
      .leftJoin(InventoryEntity.options.name, 'i', 'i.product_id = p.id')
      .select('p.id', 'id')
      .addSelect('p.name', 'name')
      .addSelect('p.description', 'description')
      .addSelect('p.price', 'price')
      .addSelect('p.category_id', 'category_id')
      .addSelect('COALESCE(i.quantity, 0)', 'stock');

  return {
    listCategories: (): Promise<CategoryRow[]> => categories.find({ order: { id: 'ASC' } }),
    categoryExists: (id: number): Promise<boolean> => categories.existsBy({ id }),
    /** Null when the name is taken. */
    async createCategory(input: { name: string; description: string }): Promise<CategoryRow | null> {
      const result = await categories
        .createQueryBuilder()
        .insert()
        .values(input)
        .orIgnore()
        .returning(['id', 'name', 'description'])
        .execute();
      return (result.raw as CategoryRow[])[0] ?? null;
    },
    async listProducts(filter: {
      category_id?: number;
      q?: string;
      limit: number;
      offset: number;
    }): Promise<{ items: Product[]; total: number }> {
      // Every value travels as a bind parameter; the search uses strpos so % and _ in q are plain characters.
      const query = productsWithStock();
      if (filter.category_id !== undefined)
        query.andWhere('p.category_id = :categoryId', { categoryId: filter.category_id });
      if (filter.q !== undefined) {
        query.andWhere(`strpos(lower(p.name || ' ' || p.description), lower(:q)) > 0`, { q: filter.q });
      }
      const total = await query.getCount();
      const items = await query.orderBy('p.id').limit(filter.limit).offset(filter.offset).getRawMany<Product>();
      return { items, total };
    },
    async findProduct(id: number): Promise<Product | null> {
      return (await productsWithStock().where('p.id = :id', { id }).getRawOne<Product>()) ?? null;
    },
    /** The product row and its inventory row; the caller runs this in a transaction, so both exist or neither. */
    async createProduct(input: {
      name: string;
      description: string;
      price: string;
      category_id: number;
      stock: number;
    }): Promise<number> {
      const { stock, ...product } = input;
      const { identifiers } = await products.insert(product);
      const id = identifiers[0].id as number;
      await inventory.insert({ product_id: id, quantity: stock });
      return id;
    },
    async updateProduct(
      id: number,
      changes: { name?: string; description?: string; price?: string; category_id?: number; stock?: number },
    ): Promise<void> {
      const { stock, ...fields } = changes;
      const productChanges = definedOnly(fields);
      // updated_at is the entity's update date column: TypeORM sets it on every update.
      if (Object.keys(productChanges).length > 0) await products.update({ id }, productChanges);
      if (stock !== undefined) await inventory.update({ product_id: id }, { quantity: stock });
    },
    /** Order history points at products: the orders module owns order_items, so this reads the table by name. */
    async productIsOrdered(id: number): Promise<boolean> {
      const row = await manager
        .createQueryBuilder()
        .select('1')
        .from('order_items', 'oi')
        .where('oi.product_id = :id', { id })
        .limit(1)
        .getRawOne();
      return row !== undefined;
    },
    async deleteProduct(id: number): Promise<boolean> {
      const { affected } = await products.delete({ id });
      return (affected ?? 0) > 0;
    },
    async listReviews(productId: number): Promise<Review[]> {
      const rows = await reviews.find({ where: { product_id: productId }, order: { id: 'ASC' } });
      return rows.map(toReview);
    },
    async createReview(input: {
      product_id: number;
      user_id: number;
      rating: number;
      comment: string;
    }): Promise<Review> {
      const result = await reviews.createQueryBuilder().insert().values(input).returning('*').execute();
      return toReview((result.raw as ReviewRow[])[0]);
    },
  };
}
