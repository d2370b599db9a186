import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Every schema of the contract carries its OpenAPI name and examples through `.openapi(...)`.
extendZodWithOpenApi(z);

export { z };

/**
 * An id in a path or a query: decimal digits only, 1..2147483647 (PostgreSQL's integer). Number() alone would take
 * "0x10" as 16, "1e1" as 10, "+5", " 7" and "1.0" too, so one resource would answer under many names.
 */
export const idSchema = z
  .union([z.int(), z.string().regex(/^[0-9]{1,10}$/, 'must be a whole number in decimal digits, like 42')])
  .transform(Number)
  .pipe(z.int().min(1, 'must be 1 or more').max(2147483647, 'must be at most 2147483647'))
  .openapi({ type: 'integer', minimum: 1, maximum: 2147483647, example: 1 });

/** An id inside a JSON body: a JSON number, 1..2147483647. */
export const bodyIdSchema = z.int().min(1).max(2147483647);

/** bcrypt reads only the first 72 bytes of a password: two passwords that share them would be the same password. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

export const fitsBcrypt = (password: string): boolean =>
  Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_PASSWORD_BYTES;

/** A new password (registration, the seeded admin): 8 characters or more, at most 72 bytes in UTF-8. */
export const newPasswordSchema = z
  .string()
  .min(8, 'at least 8 characters')
  .refine(fitsBcrypt, `at most ${BCRYPT_MAX_PASSWORD_BYTES} bytes in UTF-8 (bcrypt ignores the rest)`)
  .openapi({
    minLength: 8,
    description: 'at least 8 characters and at most 72 bytes in UTF-8 (bcrypt reads no further)',
  });

/**
 * The path of the first string (value or key) in the input holding a NUL character, or null. PostgreSQL refuses NUL
 * in text, so the contract refuses it in every input (a 422), before any schema or query sees it.
 */
export function findNul(input: unknown): string | null {
  const pending: [unknown, string[]][] = [[input, []]];
  while (pending.length > 0) {
    const [value, path] = pending.pop() as [unknown, string[]];
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path.join('.') || '(body)';
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return [...path, key].join('.');
        pending.push([item, [...path, key]]);
      }
    }
  }
  return null;
}

/** Money leaves a server as a decimal string with two places. */
export const moneySchema = z
  .string()
  .regex(/^\d+\.\d{2}$/)
  .openapi({ example: '299.00', description: 'a decimal with two places' });

/** "12.5" or 12.5 becomes "12.50". */
const twoDecimals = (value: string | number): string => {
  const [whole, fraction = ''] = String(typeof value === 'number' ? value.toFixed(2) : value).split('.');
  return `${Number(whole)}.${fraction.padEnd(2, '0')}`;
};

/** A price coming in, as "12.50" or 12.5: non-negative, at most two decimals, below 100 million; it leaves as "12.50". */
export const priceInputSchema = z
  .union([z.string().regex(/^\d{1,8}(\.\d{1,2})?$/, 'a decimal with at most two places, like "19.99"'), z.number()])
  .refine((value) => typeof value === 'string' || (Number.isFinite(value) && value >= 0 && value < 1e8), {
    message: 'a non-negative amount below 100000000',
  })
  .refine((value) => typeof value === 'string' || Math.round(value * 100) === value * 100, {
    message: 'at most two decimal places',
  })
  .transform(twoDecimals)
  .openapi({
    description: 'a decimal string with at most two places ("19.99") or a JSON number (19.99), below 100000000',
    example: '19.99',
  });

/** Times are ISO-8601 UTC. */
export const dateTimeSchema = z.string().openapi({ format: 'date-time', example: '2026-12-01T09:00:00.000Z' });

/** A duration: whole milliseconds, rounded down, on both stacks. */
export const millisecondsSchema = z.int().min(0);
