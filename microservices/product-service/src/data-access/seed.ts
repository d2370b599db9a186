import { SEED_CATEGORIES, SEED_PRODUCTS } from '@checkout-lab/kit';
import type { Queryable } from './catalog.repository';

/**
 * The seed catalogue, ids in array order from 1, the same as the monolith's.
 * mode "missing" (every start) adds only what is not there, so a restart keeps the stock orders used;
 * mode "restore" (lab reset) empties the catalogue, its reviews and reservations, and puts every seed row back exactly.
 * Run it inside a transaction.
 */
export async function seedCatalog(db: Queryable, mode: 'missing' | 'restore'): Promise<void> {
  if (mode === 'restore') {
    await db.query(
      'TRUNCATE reviews, reservation_lines, reservations, inventory, products, categories RESTART IDENTITY CASCADE',
    );
  }
  const categoryIds = new Map(SEED_CATEGORIES.map((category, index) => [category.name, index + 1]));
  for (const [index, category] of SEED_CATEGORIES.entries()) {
    await db.query('INSERT INTO categories (id, name, description) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      index + 1,
      category.name,
      category.description,
    ]);
  }
  for (const [index, product] of SEED_PRODUCTS.entries()) {
    const categoryId = categoryIds.get(product.category);
    if (!categoryId) throw new Error(`seed product ${product.name} names an unknown category ${product.category}`);
    const inserted = await db.query(
      `INSERT INTO products (id, name, description, price, category_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [index + 1, product.name, product.description, product.price, categoryId],
    );
    if (inserted.rowCount === 1) {
      await db.query('INSERT INTO inventory (product_id, stock) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        index + 1,
        product.stock,
      ]);
    }
  }
  // Explicit ids do not move the sequences: point them past the highest id so the next insert gets a fresh one.
  await db.query(`SELECT setval('categories_id_seq', GREATEST((SELECT MAX(id) FROM categories), 1))`);
  await db.query(`SELECT setval('products_id_seq', GREATEST((SELECT MAX(id) FROM products), 1))`);
}
