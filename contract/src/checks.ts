/**
 * What every served OpenAPI document of the lab must hold, beyond being valid OpenAPI: the contract's own rules for
 * its documents (docs/conventions.md, "The contract package"). Each returns its problems, none when it holds.
 */

type Json = Record<string, unknown>;
interface Responses {
  [status: string]: { content?: Record<string, { schema?: unknown }> };
}
interface DocumentLike {
  paths?: Record<string, Record<string, { responses?: Responses } | unknown>>;
  components?: { schemas?: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** `get /api/cart` for every operation of a document. */
export function operationsOf(document: object): string[] {
  return Object.entries((document as DocumentLike).paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => METHODS.includes(method))
      .map((method) => `${method} ${path}`),
  );
}

/** Every status of every operation carries a JSON schema; only a 204 has no body. */
export function missingResponseSchemas(document: object): string[] {
  const problems: string[] = [];
  for (const [path, item] of Object.entries((document as DocumentLike).paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const responses = (operation as { responses?: Responses }).responses ?? {};
      if (Object.keys(responses).length === 0) problems.push(`${method} ${path}: documents no status`);
      for (const [status, response] of Object.entries(responses)) {
        if (status === '204') continue;
        if (!response.content?.['application/json']?.schema) problems.push(`${method} ${path} ${status}: no schema`);
      }
    }
  }
  return problems;
}

/** Object schemas with properties list which of them are required (the patch bodies, where none is, excepted). */
export function objectsWithoutRequired(document: object, allOptional: string[] = []): string[] {
  const problems: string[] = [];
  const visit = (schema: unknown, where: string) => {
    if (!schema || typeof schema !== 'object') return;
    const node = schema as Json;
    if (node.type === 'object' && node.properties && !Array.isArray(node.required)) problems.push(where);
    for (const [key, value] of Object.entries(node)) {
      if (Array.isArray(value)) {
        for (const [index, item] of value.entries()) visit(item, `${where}.${key}[${index}]`);
      } else if (key === 'properties' && value && typeof value === 'object') {
        for (const [name, property] of Object.entries(value)) visit(property, `${where}.${name}`);
      } else if (typeof value === 'object') visit(value, `${where}.${key}`);
    }
  };
  for (const [name, schema] of Object.entries((document as DocumentLike).components?.schemas ?? {})) {
    if (!allOptional.includes(name)) visit(schema, name);
  }
  return problems;
}
