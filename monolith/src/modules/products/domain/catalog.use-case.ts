import type { Product } from '@checkout-lab/contract';
import { errors } from '@checkout-lab/kit';
import type { DataSource } from 'typeorm';
import { catalogRepository, toCategory } from '../data-access/catalog.repository';

export async function createCategory(db: DataSource, input: { name: string; description: string }) {
  const created = await catalogRepository(db).createCategory(input);
  if (!created) throw errors.conflict('CATEGORY_EXISTS', `A category named "${input.name}" already exists`);
  return toCategory(created);
}

export async function getProduct(db: DataSource, id: number): Promise<Product> {
  const product = await catalogRepository(db).findProduct(id);
  if (!product) throw errors.notFound(`Product ${id}`);
  return product;
}

async function assertCategoryExists(db: DataSource, id: number): Promise<void> {
  if (!(await catalogRepository(db).categoryExists(id))) throw errors.notFound(`Category ${id}`);
}

export async function createProduct(
  db: DataSource,
  input: { name: string; description: string; price: string; category_id: number; stock: number },
): Promise<Product> {
  await assertCategoryExists(db, input.category_id);
  // The product row and its inventory row are created together or not at all.
  const id = await db.transaction((manager) => catalogRepository(manager).createProduct(input));
  return getProduct(db, id);
}

export async function updateProduct(
  db: DataSource,
  id: number,
  changes: { name?: string; description?: string; price?: string; category_id?: number; stock?: number },
): Promise<Product> {
  await getProduct(db, id);
  if (changes.category_id !== undefined) await assertCategoryExists(db, changes.category_id);
  await db.transaction((manager) => catalogRepository(manager).updateProduct(id, changes));
  return getProduct(db, id);
}

export async function deleteProduct(db: DataSource, id: number): Promise<void> {
  const repository = catalogRepository(db);
  await getProduct(db, id);
  // Order history points at products (a foreign key without cascade): an ordered product cannot vanish.
  if (await repository.productIsOrdered(id)) {
    throw errors.conflict('PRODUCT_HAS_ORDERS', `Product ${id} appears in orders and cannot be deleted`);
  }
  await repository.deleteProduct(id);
}

export async function addReview(
  db: DataSource,
  input: { product_id: number; user_id: number; rating: number; comment: string },
) {
  await getProduct(db, input.product_id);
  return catalogRepository(db).createReview(input);
}
