import { AppError, errorHandler, errors, type Logger, notFoundHandler } from '@checkout-lab/kit';
import { type InternalAuth, internalAuth } from '@checkout-lab/shared';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { GatewayConfig } from './config';
import { deadLettersRepository } from './data-access/dead-letters.repository';
import { ServiceClient, type ServiceUrls } from './data-access/service.client';
import type { UserLookup } from './data-access/user.directory';
import { labUseCases } from './domain/lab.use-case';
import { patternUseCases } from './domain/patterns.use-case';
import { healthRoutes } from './entry-points/http/health.routes';
import { correlationId, identity } from './entry-points/http/identity.middleware';
import { docsRoutes } from './entry-points/http/docs.routes';
import { labRoutes } from './entry-points/http/lab.routes';
import { proxyRoutes } from './entry-points/http/proxy.routes';

export function serviceUrls(config: GatewayConfig): ServiceUrls {
  return {
    'user-service': config.USER_SERVICE_URL,
    'product-service': config.PRODUCT_SERVICE_URL,
    'cart-service': config.CART_SERVICE_URL,
    'order-service': config.ORDER_SERVICE_URL,
    'payment-service': config.PAYMENT_SERVICE_URL,
    'email-service': config.EMAIL_SERVICE_URL,
  };
}

/** The token every call the gateway makes or proxies carries: the services believe nothing else. */
export function gatewayAuth(config: GatewayConfig): InternalAuth {
  return internalAuth('api-gateway', config.INTERNAL_SECRET);
}

/**
 * The gateway: the only public door of the microservices. It never listens (server.ts does). `users` is who is
 * behind a token: user-service's directory, asked on every request or kept behind its change feed (server.ts).
 */
export function createApp({
  config,
  log,
  auth,
  users,
}: {
  config: GatewayConfig;
  log: Logger;
  auth: InternalAuth;
  users: UserLookup;
}): Express {
  const urls = serviceUrls(config);
  const services = new ServiceClient(urls, config.LAB_TIMEOUT_MS, auth);
  const app = express();
  app.disable('x-powered-by');
  // The benchmarks and the launcher run on loopback; behind a real proxy set "trust proxy" to its address instead.
  app.set('trust proxy', 'loopback');
  app.use(correlationId);

  app.use(healthRoutes(services, config.HEALTH_TIMEOUT_MS, () => users.cache()));
  app.use(docsRoutes());

  // The services' /internal/* endpoints are for the gateway and each other, never for the public.
  app.use('/internal', (req, _res, next) => next(errors.notFound(`No route for ${req.method} ${req.originalUrl}`)));

  const authLimiter = rateLimit({
    windowMs: 60_000,
    limit: config.AUTH_RATE_LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(
        new AppError({
          status: 429,
          code: 'RATE_LIMITED',
          message: `At most ${config.AUTH_RATE_LIMIT} login or register requests per minute: wait a moment`,
        }),
      ),
  });
  app.post(['/api/auth/login', '/api/auth/register'], authLimiter);

  app.use('/api', identity({ secret: config.JWT_SECRET, users, auth }));
  const deadLetters = deadLettersRepository({ amqpUrl: config.AMQP_URL, rabbitPrefix: config.RABBIT_PREFIX });
  app.use(labRoutes(labUseCases(services, deadLetters), patternUseCases(services)));
  app.use(proxyRoutes(urls, config.PROXY_TIMEOUT_MS, log));

  // The error handler is placed after every route.
  app.use(notFoundHandler);
  app.use(
    errorHandler((error, req) => log.error({ err: error, path: req.path, request_id: req.headers['x-request-id'] })),
  );
  return app;
}
