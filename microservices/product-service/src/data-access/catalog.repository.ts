import type { Category, Product, Review } from '@checkout-lab/contract';
import type pg from 'pg';

/** A pool or a client inside a transaction: repositories work with either. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface ProductFilter {
  category_id?: number;
  q?: string;
  limit: number;
  offset: number;
}

export interface NewProduct {
  name: string;
  description: string;
  price: string;
  category_id: number;
  stock: number;
}

const PRODUCT_COLUMNS = 'p.id, p.name, p.description, p.price, p.category_id, COALESCE(i.stock, 0)::int AS stock';

export const catalogRepository = {
  async listCategories(db: Queryable): Promise<Category[]> {
    const { rows } = await db.query<Category>('SELECT id, name, description FROM categories ORDER BY id');
    return rows;
  },

  async categoryExists(db: Queryable, id: number): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM categories WHERE id = $1', [id]);
    return rowCount === 1;
  },

  /** Null when the name is taken: the unique index decides. */
  async insertCategory(db: Queryable, input: { name: string; description: string }): Promise<Category | null> {
    const { rows } = await db.query<Category>(
      `INSERT INTO categories (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING
       RETURNING id, name, description`,
      [input.name, input.description],
    );
    return rows[0] ?? null;
  },

  async listProducts(db: Queryable, filter: ProductFilter): Promise<{ items: Product[]; total: number }> {
    // Every value is a bind parameter; strpos makes % and _ in q plain characters (the monolith searches the same way).
    const where = `($1::int IS NULL OR p.category_id = $1)
      AND ($2::text IS NULL OR strpos(lower(p.name || ' ' || p.description), lower($2)) > 0)`;
    const params = [filter.category_id ?? null, filter.q ?? null];
    const items = await db.query<Product>(
      `SELECT ${PRODUCT_COLUMNS} FROM products p LEFT JOIN inventory i ON i.product_id = p.id
       WHERE ${where} ORDER BY p.id LIMIT $3 OFFSET $4`,
      [...params, filter.limit, filter.offset],
    );
    const count = await db.query<{ total: number }>(
      `SELECT COUNT(*)::int AS total FROM products p WHERE ${where}`,
      params,
    );
    return { items: items.rows, total: count.rows[0].total };
  },

  async findProduct(db: Queryable, id: number): Promise<Product | null> {
    const { rows } = await db.query<Product>(
      `SELECT ${PRODUCT_COLUMNS} FROM products p LEFT JOIN inventory i ON i.product_id = p.id WHERE p.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  },

  /** The product row and its inventory row; call inside a transaction so both exist or neither. */
  async insertProduct(db: Queryable, input: NewProduct): Promise<number> {
    const { rows } = await db.query<{ id: number }>(
      'INSERT INTO products (name, description, price, category_id) VALUES ($1, $2, $3, $4) RETURNING id',
      [input.name, input.description, input.price, input.category_id],
    );
    await db.query('INSERT INTO inventory (product_id, stock) VALUES ($1, $2)', [rows[0].id, input.stock]);
    return rows[0].id;
  },

  async updateProduct(db: Queryable, id: number, changes: Partial<NewProduct>): Promise<void> {
    await db.query(
      `UPDATE products SET name = COALESCE($2, name), description = COALESCE($3, description),
         price = COALESCE($4, price), category_id = COALESCE($5, category_id), updated_at = now()
       WHERE id = $1`,
      [id, changes.name ?? null, changes.description ?? null, changes.price ?? null, changes.category_id ?? null],
    );
    if (changes.stock !== undefined) {
      await db.query(
        `INSERT INTO inventory (product_id, stock) VALUES ($1, $2)
         ON CONFLICT (product_id) DO UPDATE SET stock = EXCLUDED.stock, updated_at = now()`,
        [id, changes.stock],
      );
    }
  },

  async deleteProduct(db: Queryable, id: number): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM products WHERE id = $1', [id]);
    return rowCount === 1;
  },

  /** True when stock was ever reserved for it: an order points at it, so it stays (as in the monolith). */
  async productWasOrdered(db: Queryable, id: number): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM reservation_lines WHERE product_id = $1 LIMIT 1', [id]);
    return (rowCount ?? 0) > 0;
  },

  async listReviews(db: Queryable, productId: number): Promise<Review[]> {
    const { rows } = await db.query<Review & { created_at: Date }>(
      'SELECT id, user_id, rating, comment, created_at FROM reviews WHERE product_id = $1 ORDER BY id',
      [productId],
    );
    return rows.map((row) => ({ ...row, created_at: row.created_at.toISOString() }));
  },

  async insertReview(
    db: Queryable,
    input: { product_id: number; user_id: number; rating: number; comment: string },
  ): Promise<Review> {
    const { rows } = await db.query<Review & { created_at: Date }>(
      `INSERT INTO reviews (product_id, user_id, rating, comment) VALUES ($1, $2, $3, $4)
       RETURNING id, user_id, rating, comment, created_at`,
      [input.product_id, input.user_id, input.rating, input.comment],
    );
    return { ...rows[0], created_at: rows[0].created_at.toISOString() };
  },

  async stockLevels(db: Queryable): Promise<{ id: number; name: string; stock: number }[]> {
    const { rows } = await db.query<{ id: number; name: string; stock: number }>(
      `SELECT p.id, p.name, COALESCE(i.stock, 0)::int AS stock
       FROM products p LEFT JOIN inventory i ON i.product_id = p.id ORDER BY p.id`,
    );
    return rows;
  },
};
