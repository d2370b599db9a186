import { env, loadConfig as load, refuseDevSecretsInProduction, serviceConfig } from '@checkout-lab/shared';
import { z } from 'zod';

/** The gateway's environment, validated once at start; the only file that reads process.env. */
const schema = refuseDevSecretsInProduction(
  serviceConfig({
    NODE_ENV: z.string().default('development'),
    /** The lab's only public door for the microservices (0: any free port). */
    GATEWAY_PORT: env.port('GATEWAY_PORT'),
    /** HS256 secret: the gateway verifies every token once, with the secret user-service signs with. */
    JWT_SECRET: env.jwtSecret(),
    /** Where each service answers. */
    USER_SERVICE_URL: env.serviceUrl('USER_PORT'),
    PRODUCT_SERVICE_URL: env.serviceUrl('PRODUCT_PORT'),
    CART_SERVICE_URL: env.serviceUrl('CART_PORT'),
    ORDER_SERVICE_URL: env.serviceUrl('ORDER_PORT'),
    PAYMENT_SERVICE_URL: env.serviceUrl('PAYMENT_PORT'),
    EMAIL_SERVICE_URL: env.serviceUrl('EMAIL_PORT'),
    /** The broker, for the dead-letter endpoints: the gateway reads and redrives the services' DLQs itself. */
    AMQP_URL: env.amqpUrl(),
    /** The prefix of every broker name, as the services have it (their DLQs are <prefix>.<service>.dlq). */
    RABBIT_PREFIX: env.rabbitPrefix(),
    /** A proxied call that takes longer is cut and answered 504. */
    PROXY_TIMEOUT_MS: z.coerce.number().int().min(100).max(300000).default(15000),
    /** How long /health and the lab fan-outs wait for each service. */
    HEALTH_TIMEOUT_MS: z.coerce.number().int().min(50).max(60000).default(2000),
    LAB_TIMEOUT_MS: z.coerce.number().int().min(100).max(300000).default(30000),
    /** How long the user lookup behind every authenticated request (user-service) may take before a 503. */
    USER_LOOKUP_TIMEOUT_MS: z.coerce.number().int().min(50).max(60000).default(2000),
    /**
     * on: the gateway keeps the users it looked up while user-service's change feed tells it of every update and
     * deletion (user.directory.ts, cachedUserDirectory). off: it asks user-service on every request.
     */
    USER_CACHE: z.enum(['on', 'off']).default('on'),
    /**
     * Login and register requests allowed per client IP per minute. The default is high on purpose: the benchmarks
     * and the tests register hundreds of buyers from one address. Lower it (e.g. 20) to show the limiter.
     */
    AUTH_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  }),
);

export type GatewayConfig = z.infer<typeof schema>;

export function loadConfig(source: Record<string, string | undefined> = process.env): GatewayConfig {
  return load(schema, source);
}
