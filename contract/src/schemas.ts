import {
  bodyIdSchema,
  dateTimeSchema,
  idSchema,
  millisecondsSchema,
  moneySchema,
  newPasswordSchema,
  priceInputSchema,
  z,
} from './primitives';

/*
 * The contract of docs/api.md, written once. Request schemas are what both stacks parse their input with (through
 * lab-kit's parseInput); response schemas are what the OpenAPI documents promise and the contract suite checks. A
 * response schema lists every field the contract names as required and lets a stack add fields of its own.
 */

/** An object schema that both OpenAPI documents show under its own name, in components/schemas. */
function component<Shape extends z.core.$ZodLooseShape>(name: string, shape: Shape) {
  return z.object(shape).openapi(name);
}

// ---------------------------------------------------------------- errors

export const ErrorSchema = component('Error', {
  error: z
    .object({
      code: z.string().openapi({ example: 'OUT_OF_STOCK' }),
      message: z.string(),
      details: z.unknown().openapi({
        description: 'null when there is nothing to add; the list of bad fields on VALIDATION_ERROR',
      }),
    })
    .openapi({ required: ['code', 'message', 'details'] }),
});

// ---------------------------------------------------------------- users

const emailInput = z
  .string()
  .trim()
  .toLowerCase()
  .max(255)
  .pipe(z.email({ message: 'must be an email address' }))
  .openapi({ type: 'string', format: 'email', maxLength: 255, example: 'buyer@example.com' });

export const RegisterSchema = component('Register', {
  email: emailInput,
  password: newPasswordSchema,
  full_name: z.string().trim().min(1).max(255).openapi({ example: 'Ada Buyer' }),
});

export const LoginSchema = component('Login', {
  email: emailInput,
  password: z.string().min(1).max(128),
});

export const UserSchema = component('User', {
  id: z.int(),
  email: z.string().openapi({ format: 'email' }),
  full_name: z.string(),
  is_admin: z.boolean(),
  created_at: dateTimeSchema,
});

export const TokenSchema = component('Token', {
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.int().openapi({ description: 'seconds' }),
});

// ---------------------------------------------------------------- catalogue

export const NewCategorySchema = component('NewCategory', {
  name: z.string().trim().min(1).max(100).openapi({ example: 'Books' }),
  description: z.string().max(2000).default(''),
});

export const CategorySchema = component('Category', { id: z.int(), name: z.string(), description: z.string() });

const stockInput = z.int().min(0).max(1_000_000);

export const NewProductSchema = component('NewProduct', {
  name: z.string().trim().min(1).max(255),
  description: z.string().max(5000).default(''),
  price: priceInputSchema,
  category_id: bodyIdSchema,
  stock: stockInput,
});

export const ProductPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    description: z.string().max(5000),
    price: priceInputSchema,
    category_id: bodyIdSchema,
    stock: stockInput,
  })
  .partial()
  .strict()
  .refine((changes) => Object.keys(changes).length > 0, { message: 'send at least one field to change' })
  .openapi('ProductPatch', { minProperties: 1 });

export const ProductQuerySchema = z.object({
  category_id: idSchema.optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'case-insensitive text in name or description' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ type: 'integer', minimum: 1, maximum: 100, default: 20 }),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(0)
    .openapi({ type: 'integer', minimum: 0, maximum: 1000000, default: 0 }),
});

export const ProductSchema = component('Product', {
  id: z.int(),
  name: z.string(),
  description: z.string(),
  price: moneySchema,
  category_id: z.int(),
  stock: z.int().min(0),
});

export const ProductPageSchema = component('ProductPage', { items: z.array(ProductSchema), total: z.int() });

export const NewReviewSchema = component('NewReview', {
  rating: z.int().min(1).max(5),
  comment: z.string().max(5000).default(''),
});

export const ReviewSchema = component('Review', {
  id: z.int(),
  user_id: z.int(),
  rating: z.int().min(1).max(5),
  comment: z.string(),
  created_at: dateTimeSchema,
});

// ---------------------------------------------------------------- cart

/** At most this many of one product in one cart line. */
export const MAX_LINE_QUANTITY = 1000;
const quantityInput = z.int().min(1).max(MAX_LINE_QUANTITY);

export const CartItemInputSchema = z
  .object({ product_id: bodyIdSchema, quantity: quantityInput })
  .openapi('CartItemInput');

export const QuantitySchema = component('Quantity', { quantity: quantityInput });

export const CartLineSchema = component('CartLine', {
  product_id: z.int(),
  name: z.string(),
  price: moneySchema,
  quantity: z.int(),
  line_total: moneySchema,
});

export const CartSchema = component('Cart', { items: z.array(CartLineSchema), total: moneySchema });

// ---------------------------------------------------------------- orders

/** The optional header of POST /api/orders/checkout: the same key by the same user answers with the same order. */
export const IdempotencyKeySchema = z
  .string()
  .trim()
  .min(1, 'must be 1 to 200 characters')
  .max(200, 'must be 1 to 200 characters')
  .openapi({
    description: 'a repeated key by the same user answers with the same order (header Idempotent-Replayed: true)',
  });

/** The headers of POST /api/orders/checkout, as both stacks parse them. */
export const CheckoutHeadersSchema = z.object({ 'Idempotency-Key': IdempotencyKeySchema.optional() });

export const OrderStatusSchema = z.string().openapi({
  description:
    'monolith: "confirmed"; microservices: "pending", then intermediate statuses, then "confirmed" or "cancelled"',
  example: 'confirmed',
});

export const OrderItemSchema = z
  .object({ product_id: z.int(), quantity: z.int(), unit_price: moneySchema })
  .openapi('OrderItem');

export const StepSchema = component('Step', {
  name: z.string().openapi({ example: '6_process_payment' }),
  service: z.string().openapi({ example: 'monolith' }),
  started_at: dateTimeSchema,
  duration_ms: millisecondsSchema,
});

export const OrderSchema = component('Order', {
  id: z.int(),
  status: OrderStatusSchema,
  total: moneySchema,
  failure_reason: z
    .string()
    .nullable()
    .openapi({ description: 'null, "out_of_stock", "payment_declined", ...', example: null }),
  items: z.array(OrderItemSchema),
  created_at: dateTimeSchema,
  processing_duration_ms: millisecondsSchema.openapi({
    description: 'how long the buyer waited for the checkout response, measured by the server',
  }),
  completion_duration_ms: millisecondsSchema
    .nullable()
    .openapi({ description: 'checkout start to final status (confirmed or cancelled); null while in flight' }),
  email_sent_at: dateTimeSchema
    .nullable()
    .openapi({ description: 'when SMTP accepted the confirmation email; null until then' }),
  steps: z.array(StepSchema).openapi({ description: 'monolith: its 11 steps; microservices: each hop and consumer' }),
});

// ---------------------------------------------------------------- notifications

export const NotificationSchema = component('Notification', {
  id: z.int(),
  type: z.string().openapi({ example: 'order_confirmed' }),
  message: z.string(),
  created_at: dateTimeSchema,
  read: z.boolean(),
});

// ---------------------------------------------------------------- lab

const delayInput = z.int().min(0).max(60000);

/** The lab knobs, as GET /api/lab/config answers them. */
export const KnobsSchema = component('Knobs', {
  payment_delay_ms: delayInput.openapi({ description: 'the simulated payment gateway call' }),
  email_delay_ms: delayInput.openapi({ description: 'the simulated slow email send, before the real SMTP send' }),
  payment_failure_rate: z.number().min(0).max(1).openapi({ description: 'share of payments declined' }),
});

/** PUT /api/lab/config: any subset of the knobs, nothing else. */
export const KnobsPatchSchema = KnobsSchema.partial().strict().openapi('KnobsPatch');

/** `?since=ISO` of the lab's reads. */
export const SinceQuerySchema = z.object({
  since: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'only orders created at or after this moment (ISO-8601)' }),
});

export const LabOrderSchema = component('LabOrder', {
  id: z.int(),
  status: OrderStatusSchema,
  created_at: dateTimeSchema,
  processing_duration_ms: millisecondsSchema.nullable(),
  completion_duration_ms: millisecondsSchema.nullable(),
  failure_reason: z.string().nullable(),
});

export const AuditSchema = component('Audit', {
  orders: z.array(
    z.object({
      id: z.int(),
      status: OrderStatusSchema,
      failure_reason: z.string().nullable(),
      payments: z.int().openapi({ description: 'succeeded payments recorded for the order' }),
      emails: z.int().openapi({ description: 'confirmation emails recorded as sent' }),
      provider_charges: z.int().openapi({ description: 'succeeded charges the payment provider holds for the order' }),
    }),
  ),
  products: z.array(z.object({ id: z.int(), name: z.string(), stock: z.int() })),
  orphan_charges: z
    .array(z.object({ provider_charge_id: z.string(), order_ref: z.string(), amount: moneySchema }))
    .openapi({
      description: 'charges the payment provider holds for no order the shop kept (a rollback after step 6)',
    }),
});

export const ResetSchema = component('Reset', {
  status: z.literal('ok'),
  emails_deleted: z
    .int()
    .nullable()
    .optional()
    .openapi({ description: 'monolith: its emails deleted at the mail catcher; null when it was not reachable' }),
  charges_deleted: z
    .int()
    .nullable()
    .optional()
    .openapi({ description: "this stack's charges forgotten by the payment provider; null when it was not reachable" }),
  stack: z.string().optional().openapi({ description: 'microservices: "microservices"' }),
  services: z
    .record(z.string(), z.string())
    .optional()
    .openapi({ description: 'microservices: each service the reset went through' }),
});

export const HealthSchema = z
  .looseObject({
    status: z.enum(['ok', 'degraded']),
    service: z.string().openapi({ example: 'monolith' }),
  })
  .openapi('Health');

/** A dead letter id is `<service>:<its own id>`, as GET /api/lab/dead-letters gives it. */
export const DeadLetterIdSchema = z
  .string()
  .max(300)
  .regex(/^(user|product|cart|order|payment|email)-service:\S+$/, 'an id as GET /api/lab/dead-letters gives it');

export const DeadLetterSchema = component('DeadLetter', {
  id: DeadLetterIdSchema,
  service: z.string(),
  queue: z.string(),
  routing_key: z.string().nullable(),
  reason: z.string().nullable(),
  attempts: z.int(),
  dead_lettered_at: dateTimeSchema.nullable(),
  event: z.unknown().openapi({ description: 'the event envelope; the body as text when it is not JSON' }),
});

/** At most 100 ids fit the lab's 10 kB body; none means all. */
export const RedriveSchema = z
  .object({ ids: z.array(DeadLetterIdSchema).max(100).optional() })
  .strict()
  .openapi('Redrive');

export const RedrivenSchema = component('Redriven', { redriven: z.int() });

// ---------------------------------------------------------------- the types every client uses

export type ApiError = z.infer<typeof ErrorSchema>;
export type User = z.infer<typeof UserSchema>;
export type Token = z.infer<typeof TokenSchema>;
export type Category = z.infer<typeof CategorySchema>;
export type Product = z.infer<typeof ProductSchema>;
export type ProductPage = z.infer<typeof ProductPageSchema>;
export type Review = z.infer<typeof ReviewSchema>;
export type CartLine = z.infer<typeof CartLineSchema>;
export type Cart = z.infer<typeof CartSchema>;
export type OrderItem = z.infer<typeof OrderItemSchema>;
export type Step = z.infer<typeof StepSchema>;
export type Order = z.infer<typeof OrderSchema>;
export type Notification = z.infer<typeof NotificationSchema>;
export type Knobs = z.infer<typeof KnobsSchema>;
export type LabOrder = z.infer<typeof LabOrderSchema>;
export type Audit = z.infer<typeof AuditSchema>;
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
