import assert from 'node:assert/strict';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { API_VERSION, openApiDocument } from '../../src/api/openapi';
import { testConfig } from './app';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

/**
 * A copy of the API's own OpenAPI document in which every described object is closed
 * (additionalProperties: false), so that an answer with a field the document does not describe
 * fails the test instead of slipping past.
 */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (!node || typeof node !== 'object') return node;
  const copy: Json = {};
  for (const [key, value] of Object.entries(node)) {
    // Examples are data, not schemas.
    copy[key] = key === 'example' ? value : closed(value);
  }
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined) {
    copy.additionalProperties = false;
  }
  return copy;
}

export const apiDocument = openApiDocument(testConfig.publicBaseUrl);
const strictDocument = closed(apiDocument) as Json;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(strictDocument, 'openapi.json');

const validators = new Map<string, ValidateFunction>();
/** A validator for the schema at `pointer` in the document (e.g. `/components/schemas/Probleem`). */
export function schemaValidator(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi.json#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The document's path template that `path` (below /api/v1) matches, if any. */
function templateOf(path: string): string | undefined {
  return Object.keys(apiDocument.paths).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
  );
}

export function assertValid(validate: ValidateFunction, body: unknown, what: string): void {
  if (!validate(body)) {
    assert.fail(
      `${what} does not match the OpenAPI document:\n${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(body).slice(0, 2000)}`,
    );
  }
}

/**
 * Checks one API answer against the OpenAPI document: the API-Version header, the media type,
 * and the body against the schema of that operation and status. Errors must be problem details;
 * a status the operation does not document is only accepted for 404 and 405 (and 400 for a URL
 * that matches no operation, such as a broken percent-encoding), and must still be a problem.
 */
export function assertMatchesDocument(method: string, url: string, res: Response): void {
  assert.equal(res.headers['api-version'], API_VERSION, `API-Version header on ${method} ${url}`);
  // As the server sees it: no normalising of `..` or `%2e`.
  // The entry point /api/v1 itself is `/` in the document.
  const path = (url.split('?')[0] ?? '').replace(/^\/api\/v1/, '') || '/';
  const template = templateOf(path);
  const operations = template ? (apiDocument.paths as Record<string, Json>)[template] : undefined;
  const operation = operations?.[method.toLowerCase()] as { responses: Json } | undefined;
  const documented = operation?.responses[String(res.status)];
  if (method === 'HEAD' || res.status === 204) return;
  // Not modified: no body, and only where the document says an operation answers so.
  if (res.status === 304) {
    assert.ok(documented, `${method} ${url}: status 304 is not documented`);
    return;
  }
  if (res.status >= 400) {
    assert.match(
      String(res.headers['content-type']),
      /^application\/problem\+json; charset=utf-8$/,
      `${method} ${url} → ${res.status}`,
    );
    // Outside the documented operations only "no such resource", "no such method" and "malformed URL" fit.
    const undocumentedOk = template ? [404, 405] : [400, 404, 405];
    assert.ok(
      documented || undocumentedOk.includes(res.status),
      `${method} ${url}: status ${res.status} is not documented`,
    );
    assertValid(
      schemaValidator('/components/schemas/Probleem'),
      res.body,
      `${method} ${url} → ${res.status}`,
    );
    assert.equal((res.body as { status: number }).status, res.status);
    return;
  }
  assert.ok(documented, `${method} ${url}: status ${res.status} is not documented`);
  assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8$/);
  const pointer = `/paths/${escapePointer(template as string)}/${method.toLowerCase()}/responses/${res.status}/content/application~1json/schema`;
  assertValid(schemaValidator(pointer), res.body, `${method} ${url} → ${res.status}`);
}

/** The body of an API answer, typed by its schema; apiClient has checked it against the document. */
export function bodyOf<T>(res: Response): T {
  return res.body as T;
}

/**
 * Calls the API of `app`; every answer is checked against the OpenAPI document before the test
 * sees it. All API tests go through here.
 */
export function apiClient(app: Express) {
  const checked = async (method: string, url: string, test: request.Test): Promise<Response> => {
    const res = await test;
    assertMatchesDocument(method, url, res);
    return res;
  };
  return {
    get: (url: string, headers: Record<string, string> = {}) =>
      checked('GET', url, request(app).get(url).set(headers)),
    head: (url: string) => checked('HEAD', url, request(app).head(url)),
    options: (url: string, headers: Record<string, string> = {}) =>
      checked('OPTIONS', url, request(app).options(url).set(headers)),
    post: (url: string, body: unknown, contentType = 'application/json') =>
      checked(
        'POST',
        url,
        request(app)
          .post(url)
          .set('Content-Type', contentType)
          .send(typeof body === 'string' ? body : JSON.stringify(body)),
      ),
    send: (method: string, url: string) =>
      checked(method, url, request(app)[method.toLowerCase() as 'delete' | 'put' | 'patch'](url)),
  };
}
