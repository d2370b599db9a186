import { OpenApiGeneratorV31, OpenAPIRegistry, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { FaultsPatchSchema, FaultsSchema } from './faults';
import { FixesPatchSchema, FixesSchema } from './fixes';
import { PatternsPatchSchema, PatternsSchema } from './patterns';
import { idSchema, z } from './primitives';
import * as s from './schemas';

/** The two stacks that implement the contract. */
export type Stack = 'monolith' | 'microservices';
const STACKS: Stack[] = ['monolith', 'microservices'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Who = 'anyone' | 'user' | 'admin';
/** A success answer: what it means, the body's schema (none: no body) and the headers it carries. */
type Success = [description: string, schema?: z.ZodType, headers?: Record<string, string>];
/**
 * What one status means: a success answer (on both stacks, or `{ monolith: ... }` where only that stack gives it),
 * or an error's code and why it comes.
 */
type Answer = Success | Partial<Record<Stack, Success>> | string;

/** One public operation of docs/api.md, as both stacks implement it. */
interface Operation {
  method: Method;
  path: string;
  tag: string;
  summary: string;
  who: Who;
  body?: z.ZodType;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** Its answers by status: the success answer, and the error statuses it answers beyond the common ones. */
  answers: Record<number, Answer>;
  /** Only one stack has it; the other answers 404 NOT_FOUND there (the path is in both documents). */
  only?: Stack;
  /** With `only`: the other stack's 404 when it is not NOT_FOUND (its code and why). */
  elsewhere?: string;
  /** What differs between the stacks, said in both documents. */
  stacks?: string;
}

const idParams = (name: string, description: string) =>
  z.object({ [name]: idSchema.openapi({ description, type: 'integer', minimum: 1, maximum: 2147483647 }) });
const productId = idParams('id', 'product id');
const CHECKOUT_HEADERS = {
  Location: '/api/orders/:id',
  'Idempotent-Replayed': '"true" when the answer is an earlier request’s',
};

/** The monolith's answer on /api/lab/patterns: it has no outbox, consumers or saga to switch. */
const PATTERNS_ELSEWHERE = 'NOT_APPLICABLE: the monolith has no outbox, consumers or saga to switch';

/** The gateway's answer on /api/lab/fixes: the fixes repair the monolith's one transaction. */
const FIXES_ELSEWHERE = 'NOT_APPLICABLE: the fixes repair the monolith’s one transaction; the microservices have none';

/** The public operations, in the order of docs/api.md. */
export const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/api/auth/register',
    tag: 'users',
    summary: 'Create a buyer account',
    who: 'anyone',
    body: s.RegisterSchema,
    answers: { 201: ['The new user', s.UserSchema], 409: 'EMAIL_TAKEN' },
  },
  {
    method: 'post',
    path: '/api/auth/login',
    tag: 'users',
    summary: 'Exchange email and password for a bearer token (HS256)',
    who: 'anyone',
    body: s.LoginSchema,
    answers: {
      200: ['A bearer token: paste its access_token into Authorize', s.TokenSchema],
      401: 'INVALID_CREDENTIALS',
      429: 'RATE_LIMITED: too many failed logins for this account or this address (Retry-After: seconds)',
    },
  },
  {
    method: 'get',
    path: '/api/auth/me',
    tag: 'users',
    summary: 'The signed-in user',
    who: 'user',
    answers: { 200: ['The user', s.UserSchema] },
  },
  {
    method: 'get',
    path: '/api/categories',
    tag: 'catalog',
    summary: 'All categories',
    who: 'anyone',
    answers: { 200: ['Every category', z.array(s.CategorySchema)] },
  },
  {
    method: 'post',
    path: '/api/categories',
    tag: 'catalog',
    summary: 'Add a category (admin)',
    who: 'admin',
    body: s.NewCategorySchema,
    answers: { 201: ['The new category', s.CategorySchema], 409: 'CATEGORY_EXISTS' },
  },
  {
    method: 'get',
    path: '/api/products',
    tag: 'catalog',
    summary: 'Browse products',
    who: 'anyone',
    query: s.ProductQuerySchema,
    answers: { 200: ['A page of products', s.ProductPageSchema] },
  },
  {
    method: 'post',
    path: '/api/products',
    tag: 'catalog',
    summary: 'Add a product with its stock (admin)',
    who: 'admin',
    body: s.NewProductSchema,
    answers: { 201: ['The new product', s.ProductSchema], 404: 'NOT_FOUND: no such category' },
  },
  {
    method: 'get',
    path: '/api/products/{id}',
    tag: 'catalog',
    summary: 'One product with its stock',
    who: 'anyone',
    params: productId,
    answers: { 200: ['The product', s.ProductSchema], 404: 'NOT_FOUND' },
  },
  {
    method: 'patch',
    path: '/api/products/{id}',
    tag: 'catalog',
    summary: 'Change a product or its stock (admin)',
    who: 'admin',
    params: productId,
    body: s.ProductPatchSchema,
    answers: { 200: ['The changed product', s.ProductSchema], 404: 'NOT_FOUND: no such product or category' },
  },
  {
    method: 'delete',
    path: '/api/products/{id}',
    tag: 'catalog',
    summary: 'Delete a product that was never ordered (admin)',
    who: 'admin',
    params: productId,
    answers: { 204: ['Deleted'], 404: 'NOT_FOUND', 409: 'PRODUCT_HAS_ORDERS' },
  },
  {
    method: 'get',
    path: '/api/products/{id}/reviews',
    tag: 'catalog',
    summary: 'Reviews of a product',
    who: 'anyone',
    params: productId,
    answers: { 200: ['Its reviews', z.array(s.ReviewSchema)], 404: 'NOT_FOUND' },
  },
  {
    method: 'post',
    path: '/api/products/{id}/reviews',
    tag: 'catalog',
    summary: 'Review a product',
    who: 'user',
    params: productId,
    body: s.NewReviewSchema,
    answers: { 201: ['The new review', s.ReviewSchema], 404: 'NOT_FOUND' },
  },
  {
    method: 'get',
    path: '/api/cart',
    tag: 'cart',
    summary: 'The signed-in buyer’s cart',
    who: 'user',
    answers: { 200: ['The cart', s.CartSchema] },
  },
  {
    method: 'post',
    path: '/api/cart/items',
    tag: 'cart',
    summary: 'Add to the cart (quantities add up, up to the stock)',
    who: 'user',
    body: s.CartItemInputSchema,
    answers: { 201: ['The cart', s.CartSchema], 404: 'NOT_FOUND: no such product', 409: 'OUT_OF_STOCK' },
  },
  {
    method: 'patch',
    path: '/api/cart/items/{product_id}',
    tag: 'cart',
    summary: 'Set the quantity of a cart line',
    who: 'user',
    params: idParams('product_id', 'product id'),
    body: s.QuantitySchema,
    answers: { 200: ['The cart', s.CartSchema], 404: 'NOT_FOUND: not in the cart', 409: 'OUT_OF_STOCK' },
  },
  {
    method: 'delete',
    path: '/api/cart/items/{product_id}',
    tag: 'cart',
    summary: 'Remove a cart line',
    who: 'user',
    params: idParams('product_id', 'product id'),
    answers: { 200: ['The cart', s.CartSchema], 404: 'NOT_FOUND: not in the cart' },
  },
  {
    method: 'post',
    path: '/api/orders/checkout',
    tag: 'orders',
    summary: 'Check out the cart',
    who: 'user',
    headers: s.CheckoutHeadersSchema,
    answers: {
      201: {
        monolith: [
          'The confirmed order: eleven steps in one transaction, answered after the payment and the email',
          s.OrderSchema,
          CHECKOUT_HEADERS,
        ],
      },
      202: {
        microservices: [
          'The accepted order, status "pending": poll Location until "confirmed" or "cancelled"',
          s.OrderSchema,
          CHECKOUT_HEADERS,
        ],
        monolith: [
          'With the fix accept_then_process only: the accepted order, status "pending", as the microservices answer',
          s.OrderSchema,
          CHECKOUT_HEADERS,
        ],
      },
      400: 'CART_EMPTY',
      409: 'OUT_OF_STOCK: no order',
    },
    stacks:
      'The monolith answers 201 "confirmed" (or 402 PAYMENT_DECLINED, 503 EMAIL_FAILED, nothing kept); the ' +
      'microservices answer 202 "pending" with Location, and a decline or missing stock later turns the order ' +
      '"cancelled" with its failure_reason.',
  },
  {
    method: 'get',
    path: '/api/orders',
    tag: 'orders',
    summary: 'The caller’s orders, newest first',
    who: 'user',
    answers: { 200: ['Their orders', z.array(s.OrderSchema)] },
  },
  {
    method: 'get',
    path: '/api/orders/{id}',
    tag: 'orders',
    summary: 'One order (its owner or the admin)',
    who: 'user',
    params: idParams('id', 'order id'),
    answers: { 200: ['The order', s.OrderSchema], 404: 'NOT_FOUND: no such order, or someone else’s' },
  },
  {
    method: 'get',
    path: '/api/notifications',
    tag: 'email',
    summary: 'The caller’s notifications, newest first',
    who: 'user',
    answers: { 200: ['Their notifications', z.array(s.NotificationSchema)] },
  },
  {
    method: 'get',
    path: '/api/lab/config',
    tag: 'lab',
    summary: 'The knobs in force (admin)',
    who: 'admin',
    answers: { 200: ['The knobs', s.KnobsSchema] },
  },
  {
    method: 'put',
    path: '/api/lab/config',
    tag: 'lab',
    summary: 'Change any subset of the knobs; the next checkout uses them (admin)',
    who: 'admin',
    body: s.KnobsPatchSchema,
    answers: { 200: ['The knobs now in force', s.KnobsSchema] },
  },
  {
    method: 'post',
    path: '/api/lab/reset',
    tag: 'lab',
    summary: 'Clear orders, carts, payments, notifications and emails; restore the seed catalogue (admin)',
    who: 'admin',
    answers: { 200: ['Cleared', s.ResetSchema] },
  },
  {
    method: 'get',
    path: '/api/lab/orders',
    tag: 'lab',
    summary: 'Orders created since a moment, with their timings (admin)',
    who: 'admin',
    query: s.SinceQuerySchema,
    answers: { 200: ['The orders', z.array(s.LabOrderSchema)] },
  },
  {
    method: 'get',
    path: '/api/lab/audit',
    tag: 'lab',
    summary: 'Server-side truth for invariant checks: payments and emails per order, stock per product (admin)',
    who: 'admin',
    query: s.SinceQuerySchema,
    answers: { 200: ['The audit', s.AuditSchema] },
  },
  {
    method: 'get',
    path: '/api/lab/dead-letters',
    tag: 'lab',
    summary: 'Every service’s dead letters, oldest first, without moving them (admin)',
    who: 'admin',
    only: 'microservices',
    answers: { 200: ['The dead letters', z.array(s.DeadLetterSchema)] },
  },
  {
    method: 'post',
    path: '/api/lab/dead-letters/redrive',
    tag: 'lab',
    summary: 'Send dead letters back to their queues, each once; no ids means all (admin)',
    who: 'admin',
    only: 'microservices',
    body: s.RedriveSchema,
    answers: { 200: ['How many went back', s.RedrivenSchema] },
  },
  {
    method: 'get',
    path: '/api/lab/faults',
    tag: 'lab',
    summary: 'The faults in force and this stack’s catalog of them (admin)',
    who: 'admin',
    answers: { 200: ['The faults and the catalog', FaultsSchema] },
  },
  {
    method: 'put',
    path: '/api/lab/faults',
    tag: 'lab',
    summary: 'Switch any subset of the faults; the next checkout meets them (admin)',
    who: 'admin',
    body: FaultsPatchSchema,
    answers: {
      200: ['The faults now in force and the catalog', FaultsSchema],
      422:
        'VALIDATION_ERROR: an unknown name or a bad value; FAULT_NOT_APPLICABLE: a fault (or crash point) not in ' +
        'this stack’s catalog; FAULT_NOT_IMPLEMENTED: a fault whose effect is not built yet (only its default is ' +
        'accepted); nothing changed',
    },
    stacks:
      'Each stack lists the faults that apply to it: broker_down, redelivery_rate and hop_delay_ms only on the ' +
      'microservices; crash takes mid_checkout on the monolith, after_commit_before_publish or ' +
      'after_effect_before_ack on the microservices.',
  },
  {
    method: 'post',
    path: '/api/lab/faults/reset',
    tag: 'lab',
    summary: 'Every fault back to its default, off (admin)',
    who: 'admin',
    answers: { 200: ['The faults, all off, and the catalog', FaultsSchema] },
  },
  {
    method: 'get',
    path: '/api/lab/patterns',
    tag: 'lab',
    summary: 'The reliability patterns, each true while it is in force in every service that uses it (admin)',
    who: 'admin',
    only: 'microservices',
    elsewhere: PATTERNS_ELSEWHERE,
    answers: { 200: ['The patterns', PatternsSchema] },
  },
  {
    method: 'put',
    path: '/api/lab/patterns',
    tag: 'lab',
    summary: 'Switch any subset of the patterns; off runs the naive variant instead (admin)',
    who: 'admin',
    only: 'microservices',
    elsewhere: PATTERNS_ELSEWHERE,
    body: PatternsPatchSchema,
    answers: { 200: ['The patterns now in force', PatternsSchema] },
  },
  {
    method: 'get',
    path: '/api/lab/fixes',
    tag: 'lab',
    summary: 'The monolith’s fix switches; all off is the blocking checkout (admin)',
    who: 'admin',
    only: 'monolith',
    elsewhere: FIXES_ELSEWHERE,
    answers: { 200: ['The fixes', FixesSchema] },
  },
  {
    method: 'put',
    path: '/api/lab/fixes',
    tag: 'lab',
    summary: 'Switch any subset of the fixes; the next checkout runs with them (admin)',
    who: 'admin',
    only: 'monolith',
    elsewhere: FIXES_ELSEWHERE,
    body: FixesPatchSchema,
    answers: { 200: ['The fixes now in force', FixesSchema] },
  },
];

/** `post /api/orders/checkout` is `postOrdersCheckout`: the same on both stacks, so a client can name it. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '')
    .split('/')
    .filter((segment) => !segment.startsWith('{'))
    .flatMap((segment) => segment.split(/[_-]/));
  const byId = /\}$/.test(path) ? 'ById' : '';
  return method + words.map((word) => word[0].toUpperCase() + word.slice(1)).join('') + byId;
}

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

function errorAnswer(description: string, extra: Partial<ResponseConfig> = {}): ResponseConfig {
  return { description, content: json(s.ErrorSchema), ...extra };
}

/** The statuses every operation of its kind answers on this stack, besides its own. */
function commonErrors(operation: Operation, stack: Stack): Record<number, string> {
  const common: Record<number, string> = {};
  if (operation.body) {
    common[400] = 'MALFORMED_JSON: the body is not JSON';
    common[413] = 'PAYLOAD_TOO_LARGE';
  }
  if (operation.body || operation.params || operation.query || operation.headers)
    common[422] = 'VALIDATION_ERROR: details lists each bad field';
  if (operation.who !== 'anyone') common[401] = 'UNAUTHORIZED: a missing, invalid or expired token';
  if (operation.who === 'admin') common[403] = 'FORBIDDEN: not the lab admin account';
  if (stack === 'microservices') {
    common[502] = 'BAD_GATEWAY: a service behind the gateway failed to answer';
    common[503] = 'SERVICE_UNAVAILABLE: a service behind the gateway is down';
    common[504] = 'GATEWAY_TIMEOUT: a service behind the gateway did not answer in time';
  }
  return common;
}

/** The success answer this stack gives, with its status. */
function successesOf(answers: [string, Answer][], stack: Stack): [number, ...Success][] {
  const found: [number, ...Success][] = [];
  for (const [status, answer] of answers) {
    if (typeof answer === 'string') continue;
    const success = Array.isArray(answer) ? answer : answer[stack];
    if (success) found.push([Number(status), ...success]);
  }
  if (found.length === 0) throw new Error(`no success answer on the ${stack}`);
  return found;
}

/** What one stack answers to one operation. */
function responsesOf(operation: Operation, stack: Stack): Record<string, ResponseConfig> {
  const responses: Record<string, ResponseConfig> = {};
  const answers = Object.entries(operation.answers);
  const ownErrors = answers.filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  const errors: Record<number, string> = { ...commonErrors(operation, stack), ...Object.fromEntries(ownErrors) };
  if (operation.path === '/api/orders/checkout' && stack === 'monolith') {
    errors[402] = 'PAYMENT_DECLINED: nothing kept';
    errors[503] = 'EMAIL_FAILED: the whole order rolled back';
    errors[502] = 'PAYMENT_UNAVAILABLE: the card provider could not be reached; the order rolled back';
    errors[504] =
      'PAYMENT_TIMEOUT: the card provider did not answer in time; the order rolled back, the charge maybe kept';
  }
  if (stack === 'microservices' && (operation.path === '/api/auth/register' || operation.path === '/api/auth/login'))
    errors[429] = `${errors[429] ? `${errors[429]}; ` : ''}RATE_LIMITED: the gateway's limit of login and register requests per minute`;
  if (operation.only && operation.only !== stack) {
    // The path is in both documents so they list the same paths; this stack has nothing there.
    const other = errors[401] ? { 401: errors[401], 403: errors[403] } : {};
    for (const [status, description] of Object.entries(other))
      if (description) responses[status] = errorAnswer(description);
    responses[404] = errorAnswer(operation.elsewhere ?? `NOT_FOUND: only the ${operation.only} have this`);
    return responses;
  }
  for (const [status, description, schema, headers] of successesOf(answers, stack)) {
    responses[status] = {
      description,
      ...(schema ? { content: json(schema) } : {}),
      ...(headers
        ? {
            headers: Object.fromEntries(
              Object.entries(headers).map(([name, text]) => [name, { description: text, schema: { type: 'string' } }]),
            ),
          }
        : {}),
    };
  }
  for (const [code, text] of Object.entries(errors)) {
    responses[code] =
      code === '429'
        ? errorAnswer(text, {
            headers: {
              'Retry-After': { description: 'seconds until a new try may pass', schema: { type: 'integer' } },
            },
          })
        : errorAnswer(text);
  }
  return responses;
}

const TITLES: Record<Stack, string> = {
  monolith: 'Checkout Lab: the blocking monolith',
  microservices: 'Checkout Lab: the event-driven microservices (API gateway)',
};

const DESCRIPTIONS: Record<Stack, string> = {
  monolith:
    'The monolith side of Checkout Lab. Checkout runs eleven steps in one database transaction and answers 201 only ' +
    'after the payment and the email.',
  microservices:
    'The gateway, the microservices’ only public door. Checkout answers 202 "pending" and the order is polled to its ' +
    'final status; the gateway answers 502, 503 or 504 when a service behind it fails, is down or is slow.',
};

function build(stack: Stack) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerPath({
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    tags: ['lab'],
    summary: 'Health: the database and the mail server (monolith), every service behind it (gateway)',
    responses: {
      200: { description: 'Up', content: json(s.HealthSchema) },
      503: { description: 'Degraded: something it depends on does not answer', content: json(s.HealthSchema) },
    },
  });
  for (const operation of OPERATIONS) {
    const otherStack = STACKS.find((other) => other !== stack);
    const notes = [
      operation.only && `Only the ${operation.only} have this; the ${otherStack} answer 404 here.`,
      operation.stacks,
    ].filter(Boolean);
    registry.registerPath({
      method: operation.method,
      path: operation.path,
      operationId: operationIdOf(operation.method, operation.path),
      tags: [operation.tag],
      summary: operation.summary,
      ...(notes.length ? { description: notes.join(' ') } : {}),
      ...(operation.who === 'anyone' ? {} : { security: [{ bearer: [] }] }),
      request: {
        ...(operation.params ? { params: operation.params } : {}),
        ...(operation.query ? { query: operation.query } : {}),
        ...(operation.headers ? { headers: operation.headers } : {}),
        ...(operation.body ? { body: { required: true, content: json(operation.body) } } : {}),
      },
      responses: responsesOf(operation, stack),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: TITLES[stack],
      version: '0.1.0',
      description: `${DESCRIPTIONS[stack]} Both stacks implement one contract (docs/api.md in the repository); this document is generated from its schemas (the contract package). Log in with POST /api/auth/login, then Authorize with the access_token.`,
    },
    servers: [{ url: '/' }],
  });
}

const documents = new Map<Stack, ReturnType<typeof build>>();

/** The OpenAPI 3.1 document of one stack, built once from the contract's schemas. */
export function openApiDocument(stack: Stack) {
  let document = documents.get(stack);
  if (!document) {
    document = build(stack);
    documents.set(stack, document);
  }
  return document;
}
