import type { DataSource, EntityManager } from 'typeorm';
import type { CategoryRow, ReviewRow } from './catalog.entity';

export interface Product {
  id: number;
  name: string;
  description: string;
  price: string;
  category_id: number;
  stock: number;
}

export interface Review {
  id: number;
  user_id: number;
  rating: number;
  comment: string;
  created_at: string;
}

// A product and its stock row read together; stock is the inventory row checkout locks.
const PRODUCT_COLUMNS = `p.id, p.name, p.description, p.price, p.category_id, COALESCE(i.quantity, 0) AS stock`;

export function toCategory(row: CategoryRow) {
  return { id: row.id, name: row.name, description: row.description };
}

function toReview(row: ReviewRow): Review {
  return {
    id: row.id,
    user_id: row.user_id,
    rating: row.rating,
    comment: row.comment,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function catalogRepository(db: DataSource | EntityManager) {
  return {
    async listCategories(): Promise<CategoryRow[]> {
      return db.query('SELECT id, name, description FROM categories ORDER BY id');
    },
    async categoryExists(id: number): Promise<boolean> {
      const rows = await db.query('SELECT 1 FROM categories WHERE id = $1', [id]);
      return rows.length > 0;
    },
    /** Null when the name is taken. */
    async createCategory(input: { name: string; description: string }): Promise<CategoryRow | null> {
      const rows: CategoryRow[] = await db.query(
        `INSERT INTO categories (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING
         RETURNING id, name, description`,
        [input.name, input.description],
      );
      return rows[0] ?? null;
    },
    async listProducts(filter: {
      category_id?: number;
      q?: string;
      limit: number;
      offset: number;
    }): Promise<{ items: Product[]; total: number }> {
      // Every value travels as a bind parameter; the search uses strpos so % and _ in q are plain characters.
      const where = `($1::int IS NULL OR p.category_id = $1) AND ($2::text IS NULL OR strpos(lower(p.name || ' ' || p.description), lower($2)) > 0)`;
      const params = [filter.category_id ?? null, filter.q ?? null];
      const items: Product[] = await db.query(
        `SELECT ${PRODUCT_COLUMNS} FROM products p LEFT JOIN inventory i ON i.product_id = p.id
         WHERE ${where} ORDER BY p.id LIMIT $3 OFFSET $4`,
        [...params, filter.limit, filter.offset],
      );
      const [{ total }] = await db.query(`SELECT COUNT(*)::int AS total FROM products p WHERE ${where}`, params);
      return { items, total };
    },
    async findProduct(id: number): Promise<Product | null> {
      const rows: Product[] = await db.query(
        `SELECT ${PRODUCT_COLUMNS} FROM products p LEFT JOIN inventory i ON i.product_id = p.id WHERE p.id = $1`,
        [id],
      );
      return rows[0] ?? null;
    },
    async createProduct(input: {
      name: string;
      description: string;
      price: string;
      category_id: number;
      stock: number;
    }): Promise<number> {
      const [{ id }] = await db.query(
        'INSERT INTO products (name, description, price, category_id) VALUES ($1, $2, $3, $4) RETURNING id',
        [input.name, input.description, input.price, input.category_id],
      );
      await db.query('INSERT INTO inventory (product_id, quantity) VALUES ($1, $2)', [id, input.stock]);
      return id;
    },
    async updateProduct(
      id: number,
      changes: { name?: string; description?: string; price?: string; category_id?: number; stock?: number },
    ): Promise<void> {
      await db.query(
        `UPDATE products SET name = COALESCE($2, name), description = COALESCE($3, description),
           price = COALESCE($4, price), category_id = COALESCE($5, category_id), updated_at = now()
         WHERE id = $1`,
        [id, changes.name ?? null, changes.description ?? null, changes.price ?? null, changes.category_id ?? null],
      );
      if (changes.stock !== undefined) {
        await db.query('UPDATE inventory SET quantity = $2, updated_at = now() WHERE product_id = $1', [
          id,
          changes.stock,
        ]);
      }
    },
    async productIsOrdered(id: number): Promise<boolean> {
      const rows = await db.query('SELECT 1 FROM order_items WHERE product_id = $1 LIMIT 1', [id]);
      return rows.length > 0;
    },
    async deleteProduct(id: number): Promise<boolean> {
      const [, count] = await db.query('DELETE FROM products WHERE id = $1', [id]);
      return count > 0;
    },
    async listReviews(productId: number): Promise<Review[]> {
      const rows: ReviewRow[] = await db.query('SELECT * FROM reviews WHERE product_id = $1 ORDER BY id', [productId]);
      return rows.map(toReview);
    },
    async createReview(input: {
      product_id: number;
      user_id: number;
      rating: number;
      comment: string;
    }): Promise<Review> {
      const rows: ReviewRow[] = await db.query(
        'INSERT INTO reviews (product_id, user_id, rating, comment) VALUES ($1, $2, $3, $4) RETURNING *',
        [input.product_id, input.user_id, input.rating, input.comment],
      );
      return toReview(rows[0]);
    },
  };
}
