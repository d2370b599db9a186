import bcrypt from 'bcryptjs';
import { SEED_CATEGORIES, SEED_PRODUCTS } from '@checkout-lab/kit';
import type { DataSource, EntityManager } from 'typeorm';

/** The admin account of LAB_ADMIN_EMAIL / LAB_ADMIN_PASSWORD: created, or updated to that password, at every start. */
export async function seedAdmin(
  db: DataSource,
  admin: { email: string; password: string },
  bcryptRounds: number,
): Promise<void> {
  const hash = await bcrypt.hash(admin.password, bcryptRounds);
  // Raw SQL, as the catalogue below: an upsert that also sets is_admin on an account that already exists.
  await db.query(
    `INSERT INTO users (email, password_hash, full_name, is_admin) VALUES ($1, $2, 'Lab Admin', TRUE)
     ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, is_admin = TRUE`,
    [admin.email.toLowerCase(), hash],
  );
}

/**
 * The seed catalogue with ids in array order starting at 1, the same on both stacks.
 * mode "missing" (every start) only adds what is not there yet, so a restart keeps the stock that orders used;
 * mode "restore" (POST /api/lab/reset) puts every seed row back exactly and removes products and categories added since.
 */
export async function seedCatalog(manager: EntityManager, mode: 'missing' | 'restore'): Promise<void> {
  // Raw SQL on purpose: explicit ids, two ON CONFLICT modes and setval on the sequences read plainer as SQL than as
  // query builder calls, and this runs at start and on reset only.

  const categoryIds = new Map(SEED_CATEGORIES.map((category, index) => [category.name, index + 1]));
  if (mode === 'restore') {
    await manager.query('DELETE FROM products WHERE id > $1', [SEED_PRODUCTS.length]);
    // Renamed seed categories could swap names; park them on names that cannot clash before restoring.
    await manager.query(`UPDATE categories SET name = '#reset#' || id`);
  }
  const onConflict =
    mode === 'restore' ? 'DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description' : 'DO NOTHING';
  for (const [index, category] of SEED_CATEGORIES.entries()) {
    await manager.query(
      `INSERT INTO categories (id, name, description) VALUES ($1, $2, $3) ON CONFLICT (id) ${onConflict}`,
      [index + 1, category.name, category.description],
    );
  }
  for (const [index, product] of SEED_PRODUCTS.entries()) {
    const id = index + 1;
    const categoryId = categoryIds.get(product.category);
    if (!categoryId) throw new Error(`seed product ${product.name} names an unknown category ${product.category}`);
    await manager.query(
      `INSERT INTO products (id, name, description, price, category_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) ${
         mode === 'restore'
           ? 'DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, price = EXCLUDED.price, category_id = EXCLUDED.category_id, updated_at = now()'
           : 'DO NOTHING'
       }`,
      [id, product.name, product.description, product.price, categoryId],
    );
    await manager.query(
      `INSERT INTO inventory (product_id, quantity) VALUES ($1, $2)
       ON CONFLICT (product_id) ${mode === 'restore' ? 'DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now()' : 'DO NOTHING'}`,
      [id, product.stock],
    );
  }
  if (mode === 'restore') {
    // Only now: a seed product may have been moved to a category added since.
    await manager.query('DELETE FROM categories WHERE id > $1', [SEED_CATEGORIES.length]);
  }
  // Explicit ids do not move the sequences: point them past the highest id so the next insert gets a fresh one.
  for (const table of ['categories', 'products']) {
    await manager.query(
      `SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM ${table}), 1), (SELECT COUNT(*) > 0 FROM ${table}))`,
    );
  }
}
