/** The OpenAPI document served at /openapi.json and rendered at /docs. Filled in below. */
export const openApiDocument: Record<string, unknown> = {
  openapi: '3.0.3',
  info: { title: 'Checkout Lab: the monolith', version: '0.1.0' },
  paths: {},
};
