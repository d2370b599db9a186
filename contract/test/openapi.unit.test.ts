import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, test } from 'vitest';
import {
  missingResponseSchemas,
  objectsWithoutRequired,
  OPERATIONS,
  openApiDocument,
  operationsOf,
  type Stack,
} from '../src';

/** The request bodies where every field is optional by design: a patch names only what changes. */
const ALL_OPTIONAL = ['ProductPatch', 'KnobsPatch', 'Redrive', 'FaultsPatch', 'PatternsPatch', 'FixesPatch'];
const STACKS: Stack[] = ['monolith', 'microservices'];
const pathsOf = (stack: Stack) => openApiDocument(stack).paths ?? {};

describe('the OpenAPI documents made from the contract', () => {
  test.each(STACKS)('when the %s document is built, then it is valid OpenAPI 3.1', async (stack) => {
    const result = await new Validator().validate(structuredClone(openApiDocument(stack)) as never);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(openApiDocument(stack).openapi).toMatch(/^3\.1\./);
  });

  test('when both documents are built, then they list the same public operations', () => {
    const monolith = operationsOf(openApiDocument('monolith'));
    expect(monolith).toEqual(operationsOf(openApiDocument('microservices')));
    expect(monolith).toHaveLength(OPERATIONS.length + 1);
  });

  test.each(STACKS)('when the %s document is built, then every status of every operation has a schema', (stack) => {
    expect(missingResponseSchemas(openApiDocument(stack))).toEqual([]);
  });

  test.each(STACKS)('when the %s document is built, then every object schema lists its required fields', (stack) => {
    expect(objectsWithoutRequired(openApiDocument(stack), ALL_OPTIONAL)).toEqual([]);
  });

  test('when the stacks differ, then both documents say so: 201 against 202 at checkout, dead letters on one', () => {
    const checkout = (stack: Stack) => pathsOf(stack)['/api/orders/checkout']?.post;
    expect(Object.keys(checkout('monolith')?.responses ?? {})).toContain('201');
    expect(Object.keys(checkout('microservices')?.responses ?? {})).toContain('202');
    for (const stack of STACKS) expect(checkout(stack)?.description).toMatch(/201.*202/s);
    const deadLetters = (stack: Stack) => pathsOf(stack)['/api/lab/dead-letters']?.get;
    expect(Object.keys(deadLetters('microservices')?.responses ?? {})).toContain('200');
    expect(Object.keys(deadLetters('monolith')?.responses ?? {})).not.toContain('200');
    for (const stack of STACKS) expect(deadLetters(stack)?.description).toMatch(/Only the microservices/);
  });

  test('when the patterns are documented, then the gateway answers them and the monolith says 404 NOT_APPLICABLE', () => {
    for (const method of ['get', 'put'] as const) {
      const patterns = (stack: Stack) => pathsOf(stack)['/api/lab/patterns']?.[method];
      expect(Object.keys(patterns('microservices')?.responses ?? {})).toEqual(
        expect.arrayContaining(['200', '401', '403']),
      );
      const monolith = patterns('monolith')?.responses ?? {};
      expect(Object.keys(monolith).sort()).toEqual(['401', '403', '404']);
      expect(JSON.stringify(monolith['404'])).toContain('NOT_APPLICABLE');
    }
    expect(Object.keys(pathsOf('microservices')['/api/lab/patterns']?.put?.responses ?? {})).toContain('422');
  });

  test('when the fixes are documented, then the monolith answers them, 202 included, and the gateway says 404 NOT_APPLICABLE', () => {
    for (const method of ['get', 'put'] as const) {
      const fixes = (stack: Stack) => pathsOf(stack)['/api/lab/fixes']?.[method];
      expect(Object.keys(fixes('monolith')?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '403']));
      const gateway = fixes('microservices')?.responses ?? {};
      expect(Object.keys(gateway).sort()).toEqual(['401', '403', '404']);
      expect(JSON.stringify(gateway['404'])).toContain('NOT_APPLICABLE');
    }
    // With accept_then_process the monolith answers 202 too, and the card provider's failures have their statuses.
    const checkout = pathsOf('monolith')['/api/orders/checkout']?.post?.responses ?? {};
    expect(Object.keys(checkout)).toEqual(expect.arrayContaining(['201', '202', '402', '502', '503', '504']));
  });

  test('when an operation takes a body, parameters or a token, then the document describes them', () => {
    const document = openApiDocument('microservices');
    const paths = pathsOf('microservices');
    const checkout = paths['/api/orders/checkout']?.post;
    expect(checkout?.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]);
    expect(checkout?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(checkout?.responses ?? {})).toEqual(expect.arrayContaining(['400', '401', '409', '422']));
    const products = paths['/api/products']?.get;
    expect(products?.parameters?.map((parameter) => ('name' in parameter ? parameter.name : ''))).toEqual([
      'category_id',
      'q',
      'limit',
      'offset',
    ]);
    expect(paths['/api/lab/orders']?.get?.parameters).toEqual([
      expect.objectContaining({ name: 'since', in: 'query' }),
    ]);
    expect(paths['/api/cart/items']?.post?.requestBody).toBeDefined();
    expect(document.components?.securitySchemes?.bearer).toEqual(expect.objectContaining({ scheme: 'bearer' }));
  });
});
