import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';

/**
 * A compact OpenAPI description of the gateway's public API (the contract, docs/api.md): every path, who may call
 * it and what it answers. The request and response shapes are the contract's; the monolith's /docs spells them out.
 */
type Who = 'anyone' | 'user' | 'admin';
const ENDPOINTS: [method: string, path: string, who: Who, summary: string, success: string][] = [
  ['post', '/api/auth/register', 'anyone', 'Register {email, password, full_name}', '201'],
  ['post', '/api/auth/login', 'anyone', 'Log in: {access_token, token_type: "bearer", expires_in}', '200'],
  ['get', '/api/auth/me', 'user', 'The signed-in user', '200'],
  ['get', '/api/categories', 'anyone', 'Categories', '200'],
  ['post', '/api/categories', 'admin', 'Create a category {name, description?}', '201'],
  ['get', '/api/products', 'anyone', 'Products ?category_id&q&limit&offset: {items, total}', '200'],
  ['post', '/api/products', 'admin', 'Create a product {name, description?, price, category_id, stock}', '201'],
  ['get', '/api/products/{id}', 'anyone', 'One product', '200'],
  ['patch', '/api/products/{id}', 'admin', 'Change a product (any of its fields)', '200'],
  ['delete', '/api/products/{id}', 'admin', 'Delete a product', '204'],
  ['get', '/api/products/{id}/reviews', 'anyone', 'Reviews of a product', '200'],
  ['post', '/api/products/{id}/reviews', 'user', 'Review a product {rating: 1..5, comment}', '201'],
  ['get', '/api/cart', 'user', 'The cart {items, total}', '200'],
  ['post', '/api/cart/items', 'user', 'Add {product_id, quantity} (quantities add up)', '201'],
  ['patch', '/api/cart/items/{product_id}', 'user', 'Set the quantity of a line', '200'],
  ['delete', '/api/cart/items/{product_id}', 'user', 'Remove a line', '200'],
  [
    'post',
    '/api/orders/checkout',
    'user',
    'Check out: 202 pending + Location; poll it until confirmed or cancelled',
    '202',
  ],
  ['get', '/api/orders', 'user', 'My orders', '200'],
  ['get', '/api/orders/{id}', 'user', 'One order (owner or admin)', '200'],
  ['get', '/api/notifications', 'user', 'My notifications', '200'],
  ['get', '/api/lab/config', 'admin', 'The knobs {payment_delay_ms, email_delay_ms, payment_failure_rate}', '200'],
  ['put', '/api/lab/config', 'admin', 'Change any of the knobs', '200'],
  ['post', '/api/lab/reset', 'admin', 'Clear orders, carts, payments, emails; restore the seed catalogue', '200'],
  ['get', '/api/lab/orders', 'admin', 'Orders since ?since=ISO, with their timings', '200'],
  [
    'get',
    '/api/lab/audit',
    'admin',
    'Orders with payments and emails, and the stock: the invariant checker reads it',
    '200',
  ],
  ['get', '/api/lab/dead-letters', 'admin', "Every service's dead letters, oldest first, without moving them", '200'],
  [
    'post',
    '/api/lab/dead-letters/redrive',
    'admin',
    'Send {ids?} (none: all) back to their queues, each once: {redriven}',
    '200',
  ],
];

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [method, path, who, summary, success] of ENDPOINTS) {
    const parameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
    }));
    paths[path] ??= {};
    paths[path][method] = {
      summary,
      tags: [path.split('/')[2]],
      ...(parameters.length ? { parameters } : {}),
      ...(who === 'anyone' ? {} : { security: [{ bearer: [] }] }),
      responses: {
        [success]: { description: 'success' },
        ...(who !== 'anyone' ? { 401: errorResponse('Missing, invalid or expired token') } : {}),
        ...(who === 'admin' ? { 403: errorResponse('Not the admin account') } : {}),
        422: errorResponse('Invalid input'),
        ...(path === '/api/auth/login'
          ? { 429: errorResponse('RATE_LIMITED: too many failed logins for this account or address (Retry-After)') }
          : {}),
        503: errorResponse('A service behind the gateway is down'),
        504: errorResponse('A service behind the gateway did not answer in time'),
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Checkout Lab: the event-driven microservices (API gateway)',
      version: '0.1.0',
      description:
        'The same contract as the monolith; checkout answers 202 and the order is polled to its final status.',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
      },
    },
  };
}

/** GET /openapi.json and Swagger UI at /docs. */
export function docsRoutes(): Router {
  const router = Router();
  const document = openApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/docs', swaggerUi.serve, swaggerUi.setup(document));
  return router;
}
