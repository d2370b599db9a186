import { openApiDocument } from '@checkout-lab/contract';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';

/**
 * GET /openapi.json and Swagger UI at /docs: the contract's document for this stack, generated from the same schemas
 * the services validate their input with (the contract package), so it says what the gateway really answers.
 */
export function docsRoutes(): Router {
  const router = Router();
  const document = openApiDocument('microservices');
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { swaggerOptions: { persistAuthorization: true } }));
  return router;
}
