import { DEFAULT_ADMIN } from '@checkout-lab/kit';

/**
 * The OpenAPI document of the monolith, served at /openapi.json and rendered by Swagger UI at /docs.
 * Hand-written so it reads like the contract (docs/api.md) it describes.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const body = (schema: unknown) => ({ required: true, content: json(schema) });
const ok = (description: string, schema?: unknown) => ({ description, ...(schema ? { content: json(schema) } : {}) });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const idParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
});
const user = [{ bearer: [] }];
const common = { 401: error('Missing, invalid or expired token'), 422: error('Invalid input') };
const admin = { ...common, 403: error('Not the admin account') };

const money = { type: 'string', pattern: '^\\d+\\.\\d{2}$', example: '299.00' };
const dateTime = { type: 'string', format: 'date-time' };

export const openApiDocument = {
  openapi: '3.0.3',
  info: {
    title: 'Checkout Lab: the blocking monolith',
    version: '0.1.0',
    description: [
      'The monolith side of Checkout Lab: the same contract as the microservices gateway (docs/api.md).',
      'Checkout runs eleven steps in one database transaction and answers 201 only after the payment and the email.',
      `Admin routes need the lab admin account (default ${DEFAULT_ADMIN.email}). Errors are`,
      '`{"error": {"code", "message", "details"}}`.',
    ].join(' '),
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', example: 'OUT_OF_STOCK' },
              message: { type: 'string' },
              details: {},
            },
          },
        },
      },
      User: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          email: { type: 'string', format: 'email' },
          full_name: { type: 'string' },
          is_admin: { type: 'boolean' },
          created_at: dateTime,
        },
      },
      Register: {
        type: 'object',
        required: ['email', 'password', 'full_name'],
        properties: {
          email: { type: 'string', format: 'email', maxLength: 255 },
          password: {
            type: 'string',
            minLength: 8,
            maxLength: 72,
            description: 'at most 72 bytes in UTF-8 (bcrypt reads no further)',
          },
          full_name: { type: 'string', minLength: 1, maxLength: 255 },
        },
      },
      Login: {
        type: 'object',
        required: ['email', 'password'],
        properties: { email: { type: 'string', format: 'email' }, password: { type: 'string' } },
      },
      Token: {
        type: 'object',
        properties: {
          access_token: { type: 'string' },
          token_type: { type: 'string', enum: ['bearer'] },
          expires_in: { type: 'integer', description: 'seconds' },
        },
      },
      Category: {
        type: 'object',
        properties: { id: { type: 'integer' }, name: { type: 'string' }, description: { type: 'string' } },
      },
      NewCategory: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', maxLength: 100 }, description: { type: 'string' } },
      },
      Product: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          name: { type: 'string' },
          description: { type: 'string' },
          price: money,
          category_id: { type: 'integer' },
          stock: { type: 'integer', minimum: 0 },
        },
      },
      NewProduct: {
        type: 'object',
        required: ['name', 'price', 'category_id', 'stock'],
        properties: {
          name: { type: 'string', maxLength: 255 },
          description: { type: 'string' },
          price: { oneOf: [money, { type: 'number', minimum: 0 }] },
          category_id: { type: 'integer', minimum: 1 },
          stock: { type: 'integer', minimum: 0, maximum: 1000000 },
        },
      },
      ProductPatch: {
        type: 'object',
        minProperties: 1,
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          description: { type: 'string' },
          price: { oneOf: [money, { type: 'number', minimum: 0 }] },
          category_id: { type: 'integer', minimum: 1 },
          stock: { type: 'integer', minimum: 0, maximum: 1000000 },
        },
      },
      ProductPage: {
        type: 'object',
        properties: { items: { type: 'array', items: ref('Product') }, total: { type: 'integer' } },
      },
      Review: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          user_id: { type: 'integer' },
          rating: { type: 'integer', minimum: 1, maximum: 5 },
          comment: { type: 'string' },
          created_at: dateTime,
        },
      },
      NewReview: {
        type: 'object',
        required: ['rating'],
        properties: { rating: { type: 'integer', minimum: 1, maximum: 5 }, comment: { type: 'string' } },
      },
      Cart: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                product_id: { type: 'integer' },
                name: { type: 'string' },
                price: money,
                quantity: { type: 'integer' },
                line_total: money,
              },
            },
          },
          total: money,
        },
      },
      CartItem: {
        type: 'object',
        required: ['product_id', 'quantity'],
        properties: {
          product_id: { type: 'integer', minimum: 1 },
          quantity: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      },
      Quantity: {
        type: 'object',
        required: ['quantity'],
        properties: { quantity: { type: 'integer', minimum: 1, maximum: 1000 } },
      },
      Step: {
        type: 'object',
        properties: {
          name: { type: 'string', example: '6_process_payment' },
          service: { type: 'string', enum: ['monolith'] },
          started_at: dateTime,
          duration_ms: { type: 'integer' },
        },
      },
      Order: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          status: { type: 'string', enum: ['confirmed'] },
          total: money,
          failure_reason: { type: 'string', nullable: true },
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: { product_id: { type: 'integer' }, quantity: { type: 'integer' }, unit_price: money },
            },
          },
          created_at: dateTime,
          processing_duration_ms: {
            type: 'integer',
            description: 'request arrival to the end of step 11: what the buyer waited (the steps add up to it)',
          },
          completion_duration_ms: { type: 'integer', description: 'equal to processing_duration_ms in the monolith' },
          email_sent_at: { ...dateTime, nullable: true, description: 'when SMTP accepted the confirmation' },
          steps: { type: 'array', items: ref('Step') },
        },
      },
      Notification: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          type: { type: 'string', example: 'order_confirmed' },
          message: { type: 'string' },
          created_at: dateTime,
          read: { type: 'boolean' },
        },
      },
      Knobs: {
        type: 'object',
        properties: {
          payment_delay_ms: { type: 'integer', minimum: 0, maximum: 60000 },
          email_delay_ms: { type: 'integer', minimum: 0, maximum: 60000 },
          payment_failure_rate: { type: 'number', minimum: 0, maximum: 1 },
        },
      },
      LabOrder: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          status: { type: 'string' },
          created_at: dateTime,
          processing_duration_ms: { type: 'integer', nullable: true },
          completion_duration_ms: { type: 'integer', nullable: true },
          failure_reason: { type: 'string', nullable: true },
        },
      },
      Audit: {
        type: 'object',
        properties: {
          orders: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'integer' },
                status: { type: 'string' },
                failure_reason: { type: 'string', nullable: true },
                payments: { type: 'integer', description: 'succeeded payments recorded for the order' },
                emails: { type: 'integer', description: 'confirmation emails recorded as sent' },
              },
            },
          },
          products: {
            type: 'array',
            items: {
              type: 'object',
              properties: { id: { type: 'integer' }, name: { type: 'string' }, stock: { type: 'integer' } },
            },
          },
        },
      },
    },
  },
  paths: {
    '/health': {
      get: {
        tags: ['lab'],
        summary: 'Health, with a database round trip and the mail server as the recent sends saw it (smtp)',
        responses: {
          200: ok('Up'),
          503: ok('Degraded: the database does not answer, or SMTP sends are failing (every checkout would be 503)'),
        },
      },
    },
    '/api/auth/register': {
      post: {
        tags: ['users'],
        summary: 'Create a buyer account',
        requestBody: body(ref('Register')),
        responses: {
          201: ok('Created', ref('User')),
          400: error('Malformed JSON'),
          409: error('EMAIL_TAKEN'),
          422: error('Invalid input'),
        },
      },
    },
    '/api/auth/login': {
      post: {
        tags: ['users'],
        summary: 'Exchange email and password for a bearer token (HS256)',
        requestBody: body(ref('Login')),
        description:
          'Failed logins are limited per account and per client address (LOGIN_FAILURE_LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT per LOGIN_FAILURE_WINDOW_S); past a limit the answer is 429 RATE_LIMITED with Retry-After, even for the right password.',
        responses: {
          200: ok('Token', ref('Token')),
          401: error('INVALID_CREDENTIALS'),
          422: error('Invalid input'),
          429: {
            ...error('RATE_LIMITED: too many failed logins for this account or address'),
            headers: { 'Retry-After': { description: 'seconds until the window ends', schema: { type: 'integer' } } },
          },
        },
      },
    },
    '/api/auth/me': {
      get: {
        tags: ['users'],
        security: user,
        summary: 'The signed-in user',
        responses: { 200: ok('User', ref('User')), 401: common[401] },
      },
    },
    '/api/categories': {
      get: {
        tags: ['catalog'],
        summary: 'All categories',
        responses: { 200: ok('Categories', { type: 'array', items: ref('Category') }) },
      },
      post: {
        tags: ['catalog'],
        security: user,
        summary: 'Add a category (admin)',
        requestBody: body(ref('NewCategory')),
        responses: { 201: ok('Created', ref('Category')), 409: error('CATEGORY_EXISTS'), ...admin },
      },
    },
    '/api/products': {
      get: {
        tags: ['catalog'],
        summary: 'Browse products',
        parameters: [
          { name: 'category_id', in: 'query', schema: { type: 'integer', minimum: 1 } },
          {
            name: 'q',
            in: 'query',
            description: 'case-insensitive text in name or description',
            schema: { type: 'string' },
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: { 200: ok('A page of products', ref('ProductPage')), 422: common[422] },
      },
      post: {
        tags: ['catalog'],
        security: user,
        summary: 'Add a product with its stock (admin)',
        requestBody: body(ref('NewProduct')),
        responses: { 201: ok('Created', ref('Product')), 404: error('Unknown category'), ...admin },
      },
    },
    '/api/products/{id}': {
      parameters: [idParam('id', 'product id')],
      get: {
        tags: ['catalog'],
        summary: 'One product with its stock',
        responses: { 200: ok('Product', ref('Product')), 404: error('NOT_FOUND'), 422: common[422] },
      },
      patch: {
        tags: ['catalog'],
        security: user,
        summary: 'Change a product or its stock (admin)',
        requestBody: body(ref('ProductPatch')),
        responses: { 200: ok('Product', ref('Product')), 404: error('NOT_FOUND'), ...admin },
      },
      delete: {
        tags: ['catalog'],
        security: user,
        summary: 'Delete a product that was never ordered (admin)',
        responses: {
          204: ok('Deleted'),
          404: error('NOT_FOUND'),
          409: error('PRODUCT_HAS_ORDERS'),
          ...admin,
        },
      },
    },
    '/api/products/{id}/reviews': {
      parameters: [idParam('id', 'product id')],
      get: {
        tags: ['catalog'],
        summary: 'Reviews of a product',
        responses: { 200: ok('Reviews', { type: 'array', items: ref('Review') }), 404: error('NOT_FOUND') },
      },
      post: {
        tags: ['catalog'],
        security: user,
        summary: 'Review a product',
        requestBody: body(ref('NewReview')),
        responses: { 201: ok('Created', ref('Review')), 404: error('NOT_FOUND'), ...common },
      },
    },
    '/api/cart': {
      get: {
        tags: ['cart'],
        security: user,
        summary: 'The signed-in buyer’s cart',
        responses: { 200: ok('Cart', ref('Cart')), 401: common[401] },
      },
    },
    '/api/cart/items': {
      post: {
        tags: ['cart'],
        security: user,
        summary: 'Add to the cart (quantities add up, up to the stock)',
        requestBody: body(ref('CartItem')),
        responses: {
          201: ok('Cart', ref('Cart')),
          404: error('Unknown product'),
          409: error('OUT_OF_STOCK'),
          ...common,
        },
      },
    },
    '/api/cart/items/{product_id}': {
      parameters: [idParam('product_id', 'product id')],
      patch: {
        tags: ['cart'],
        security: user,
        summary: 'Set the quantity of a cart line',
        requestBody: body(ref('Quantity')),
        responses: {
          200: ok('Cart', ref('Cart')),
          404: error('Not in the cart'),
          409: error('OUT_OF_STOCK'),
          ...common,
        },
      },
      delete: {
        tags: ['cart'],
        security: user,
        summary: 'Remove a cart line',
        responses: { 200: ok('Cart', ref('Cart')), 404: error('Not in the cart'), ...common },
      },
    },
    '/api/orders/checkout': {
      post: {
        tags: ['orders'],
        security: user,
        summary: 'Check out the cart: eleven steps in one transaction, answered after payment and email',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            description:
              'a repeated key by the same user answers with the same order (header Idempotent-Replayed: true)',
            schema: { type: 'string', maxLength: 255 },
          },
        ],
        responses: {
          201: ok('Confirmed order (header Location: /api/orders/:id)', ref('Order')),
          400: error('CART_EMPTY'),
          402: error('PAYMENT_DECLINED: nothing kept'),
          409: error('OUT_OF_STOCK: no order'),
          503: error('EMAIL_FAILED: the whole order rolled back'),
          ...common,
        },
      },
    },
    '/api/orders': {
      get: {
        tags: ['orders'],
        security: user,
        summary: 'The caller’s orders, newest first',
        responses: { 200: ok('Orders', { type: 'array', items: ref('Order') }), 401: common[401] },
      },
    },
    '/api/orders/{id}': {
      parameters: [idParam('id', 'order id')],
      get: {
        tags: ['orders'],
        security: user,
        summary: 'One order (its owner or the admin)',
        responses: {
          200: ok('Order', ref('Order')),
          404: error('NOT_FOUND: no such order, or someone else’s'),
          ...common,
        },
      },
    },
    '/api/notifications': {
      get: {
        tags: ['email'],
        security: user,
        summary: 'The caller’s notifications, newest first',
        responses: { 200: ok('Notifications', { type: 'array', items: ref('Notification') }), 401: common[401] },
      },
    },
    '/api/lab/config': {
      get: {
        tags: ['lab'],
        security: user,
        summary: 'The knobs in force (admin)',
        responses: { 200: ok('Knobs', ref('Knobs')), ...admin },
      },
      put: {
        tags: ['lab'],
        security: user,
        summary: 'Change any subset of the knobs; the next checkout uses them (admin)',
        requestBody: body(ref('Knobs')),
        responses: { 200: ok('Knobs', ref('Knobs')), ...admin },
      },
    },
    '/api/lab/reset': {
      post: {
        tags: ['lab'],
        security: user,
        summary:
          'Clear orders, payments, carts, notifications, reviews and the monolith’s mail; restore the seed catalogue (admin)',
        responses: {
          200: ok('Reset', {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['ok'] },
              emails_deleted: {
                type: 'integer',
                nullable: true,
                description: 'null: the mail catcher was not reachable',
              },
            },
          }),
          ...admin,
        },
      },
    },
    '/api/lab/orders': {
      get: {
        tags: ['lab'],
        security: user,
        summary: 'Orders created since a moment, with their timings (admin)',
        parameters: [{ name: 'since', in: 'query', schema: dateTime }],
        responses: { 200: ok('Orders', { type: 'array', items: ref('LabOrder') }), ...admin },
      },
    },
    '/api/lab/audit': {
      get: {
        tags: ['lab'],
        security: user,
        summary: 'Server-side truth for invariant checks: payments and emails per order, stock per product (admin)',
        parameters: [{ name: 'since', in: 'query', schema: dateTime }],
        responses: { 200: ok('Audit', ref('Audit')), ...admin },
      },
    },
  },
};
