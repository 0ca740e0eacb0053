import Handlebars from 'handlebars';
import { Router } from 'express';
import type { Config } from '../config';
import { type Language, translate } from '../shared/i18n';
import { paths } from '../shared/paths';
import { API_EXAMPLES } from './api.examples';
import { API_VERSION, openApiDocument } from './openapi';
import { CHANGELOG, DEPRECATION_ANCHOR, DEPRECATION_NOTICE_DAYS, DEPRECATIONS } from './api.lifecycle';
import { OPENAPI_ENGLISH } from './openapi.en';
import { PROBLEM_CODES } from './problem';

/** Markdown's code spans (`x`) in a description, the rest escaped. */
export function descriptionHtml(text: unknown): string {
  // Split first: escaping turns every backtick into `&#x60;`, so no span could be found after it.
  return (typeof text === 'string' ? text : '')
    .split(/`([^`]+)`/)
    .map((part, index) => {
      const escaped = Handlebars.escapeExpression(part);
      return index % 2 === 1 ? `<code>${escaped}</code>` : escaped;
    })
    .join('');
}

interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  default?: string | number | boolean;
  pattern?: string;
}

/** A text of the (Dutch) OpenAPI document in the page's language: English from the table, else as written. */
export function documentText(text: unknown, language: Language): string {
  if (typeof text !== 'string') return '';
  return language === 'en' ? (OPENAPI_ENGLISH[text] ?? text) : text;
}

function schemaText(schema: Schema | undefined, language: Language): string {
  if (!schema) return '';
  const parts = [schema.format ? `${schema.type} (${schema.format})` : (schema.type ?? '')];
  if (schema.enum) parts.push(schema.enum.join(' | '));
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    parts.push(`${schema.minimum ?? ''}–${schema.maximum ?? ''}`);
  if (schema.maxLength !== undefined) parts.push(`≤ ${schema.maxLength}`);
  if (schema.pattern) parts.push(schema.pattern);
  if (schema.default !== undefined)
    parts.push(`${translate(language, 'apiDocs.default')} ${String(schema.default)}`);
  return parts.filter(Boolean).join(' · ');
}

type Json = Record<string, unknown>;

/** The documentation page's view of the OpenAPI document: every operation, its parameters, answers and an example. */
export function documentationModel(publicBaseUrl: string, language: Language) {
  const document = openApiDocument(publicBaseUrl) as unknown as Json & {
    paths: Record<string, Json>;
    components: Json;
  };
  const components = document.components as Record<string, Record<string, Json>>;
  const resolve = <T>(node: unknown): T => {
    const pointer = (node as { $ref?: string })?.$ref;
    if (!pointer) return node as T;
    const [, , group = '', name = ''] = pointer.split('/');
    return components[group]?.[name] as T;
  };
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, Json>).map(([method, op]) => {
      const responses = op.responses as Record<string, unknown>;
      const okSchema = // An operation that creates answers 201, one that deletes 204 without a body.
        (
          resolve<{ content?: Record<string, { schema?: { $ref?: string } }> } | undefined>(
            responses['200'] ?? responses['201'],
          )?.content?.['application/json']?.schema?.$ref ?? ''
        )
          .split('/')
          .pop();
      const body = (op.requestBody as { content?: Record<string, { example?: unknown }> } | undefined)
        ?.content?.['application/json']?.example;
      return {
        id: op.operationId as string,
        method: method.toUpperCase(),
        path: path === '/' ? paths.api : `${paths.api}${path}`,
        summary: documentText(op.summary, language),
        description: descriptionHtml(documentText(op.description, language)),
        parameters: ((op.parameters as unknown[]) ?? []).map((p) => {
          const parameter = resolve<Json & { schema?: Schema }>(p);
          return {
            name: parameter.name,
            in: parameter.in,
            required: parameter.required === true,
            description: descriptionHtml(documentText(parameter.description, language)),
            type: schemaText(parameter.schema, language),
          };
        }),
        responses: Object.entries(responses).map(([status, r]) => ({
          status,
          description: descriptionHtml(documentText(resolve<Json>(r).description, language)),
        })),
        requestExample: body === undefined ? undefined : JSON.stringify(body, null, 2),
        responseExample:
          okSchema && API_EXAMPLES[okSchema] ? JSON.stringify(API_EXAMPLES[okSchema], null, 2) : undefined,
      };
    }),
  );
  return {
    version: API_VERSION,
    baseUrl: `${publicBaseUrl}${paths.api}`,
    openApiUrl: `${paths.api}/openapi.json`,
    operations,
    changelog: CHANGELOG.map((entry) => ({
      version: entry.version,
      anchor: `versie-${entry.version.replaceAll('.', '-')}`,
      date: entry.date,
      changes: entry.changes[language].map(descriptionHtml),
    })),
    deprecationAnchor: DEPRECATION_ANCHOR,
    noticeDays: DEPRECATION_NOTICE_DAYS,
    deprecations: DEPRECATIONS.map((d) => ({
      what: `${d.method} ${d.path === '/' ? paths.api : `${paths.api}${d.path}`}${d.parameter ? ` ?${d.parameter}=` : ''}`,
      deprecatedAt: d.deprecatedAt.toISOString().slice(0, 10),
      sunsetAt: d.sunsetAt.toISOString().slice(0, 10),
      instead: descriptionHtml(d.instead[language]),
    })),
    problems: Object.entries(PROBLEM_CODES).map(([code, status]) => ({
      code,
      status,
      title: translate(language, `api.problem.${code}.title`),
      detail: descriptionHtml(translate(language, `api.problem.${code}.detail`)),
    })),
  };
}

/** The human-readable API documentation, rendered from the same OpenAPI document the API serves. */
export function apiDocsRoutes(config: Config): Router {
  const router = Router();
  router.get(paths.apiDocs, (_req, res) => {
    const lang = res.locals.lang as Language;
    res.render('api/docs', {
      title: 'apiDocs.title',
      ...documentationModel(config.publicBaseUrl, lang),
      limits: { perMinute: config.apiRequestsPerMinute, checks: config.bulkChecksPerClient },
    });
  });
  return router;
}
