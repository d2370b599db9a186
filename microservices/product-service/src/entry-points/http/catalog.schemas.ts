import { idSchema } from '@checkout-lab/kit';
import { z } from 'zod';

/** The request shapes, the same rules as the monolith's so one contract suite passes on both stacks. */
export { idSchema };

/** "12.5" or 12.5 becomes "12.50": money leaves as a string with two decimals. */
const twoDecimals = (value: string | number): string => {
  const [whole, fraction = ''] = String(typeof value === 'number' ? value.toFixed(2) : value).split('.');
  return `${Number(whole)}.${fraction.padEnd(2, '0')}`;
};

const price = z
  .union([z.string().regex(/^\d{1,8}(\.\d{1,2})?$/, 'a decimal with at most two places, like "19.99"'), z.number()])
  .refine((value) => typeof value === 'string' || (Number.isFinite(value) && value >= 0 && value < 1e8), {
    message: 'a non-negative amount below 100000000',
  })
  .refine((value) => typeof value === 'string' || Math.round(value * 100) === value * 100, {
    message: 'at most two decimal places',
  })
  .transform(twoDecimals);

const stock = z.number().int().min(0).max(1_000_000);

export const categorySchema = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
});

export const productSchema = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(5000).default(''),
  price,
  category_id: z.number().int().min(1).max(2147483647),
  stock,
});

export const productPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    description: z.string().max(5000),
    price,
    category_id: z.number().int().min(1).max(2147483647),
    stock,
  })
  .partial()
  .strict()
  .refine((changes) => Object.keys(changes).length > 0, { message: 'send at least one field to change' });

export const listSchema = z.object({
  category_id: idSchema.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const reviewSchema = z.object({
  rating: z.number().int().min(1).max(5),
  comment: z.string().max(5000).default(''),
});
