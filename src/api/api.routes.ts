import cors from 'cors';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { DataSource } from 'typeorm';
import { bulkCheck } from '../check/bulk-check.service';
import type { Config } from '../config';
import { lastChangeAt, providerDetail, statusOnDate } from '../register/provider.service';
import { statusChangesAfter } from '../status/status-feed.service';
import { must } from '../shared/must';
import { CACHE_CURRENT, CACHE_SETTLED, setValidators, weakEtag } from '../web/http-cache';
import { searchProviders, type Sort } from '../register/search.service';
import { NotFoundError, ValidationError } from '../shared/errors';
import { verifyAttestation } from '../attestation/attestation.service';
import { attestationProof, pendingWait } from '../transparency/attestation-proof';
import type { LogSigner } from '../transparency/checkpoint.service';
import type { Logger } from '../shared/logger';
import { paths } from '../shared/paths';
import { toLocalDate } from '../shared/time';
import {
  API_PAGE_SIZE,
  type API_SORT_NAMES,
  AttestationPath,
  ChangesQuery,
  checkRequestOn,
  FEED_PAGE_SIZE,
  NoQuery,
  ProviderPath,
  providerQueryOn,
  readQuery,
  readValue,
  SearchQuery,
} from './api.params';
import {
  type ApiUrls,
  attestationResource,
  changeFeedPage,
  checkResult,
  providerList,
  providerResource,
  statusChanges,
} from './api.representation';
import type { Hostingprovider, PaginaLinks } from './api.schemas';
import { decodeCursor, encodeCursor } from './api.cursor';
import { API_VERSION, openApiDocument } from './openapi';
import {
  DEPRECATION_ANCHOR,
  type Deprecation,
  DEPRECATIONS,
  deprecationHeader,
  deprecationsFor,
  sunsetHeader,
} from './api.lifecycle';
import { apiRoot } from './api.root';
import { apiRequestRate, bulkCheckSlot } from '../web/client-limits';
import { apiLanguage, ApiProblemError, problemHandler } from './problem';
import { requestTime } from '../web/clock';
import { secretBox, secretsKeyFor } from '../identity/secrets';
import { subscriptionRoutes } from './api.subscriptions';
import { signalApiRoutes } from './api.signals';

/** The API's names for the sort orders of the register search. */
export const API_SORTS: Record<(typeof API_SORT_NAMES)[number], Sort> = {
  relevantie: 'relevance',
  naam: 'name',
  kvkNummer: 'kvk',
  status: 'status',
};

/** Headers a browser script on another site may read from a CORS answer. */
const EXPOSED_HEADERS = [
  'API-Version',
  'Link',
  'Content-Language',
  'X-Request-Id',
  'ETag',
  'Last-Modified',
  'Deprecation',
  'Sunset',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
];

/** Reading is open to scripts on any site (no cookies are involved); writing is not. */
const readCors = cors({
  origin: '*',
  methods: ['GET', 'HEAD'],
  exposedHeaders: EXPOSED_HEADERS,
  maxAge: 86400,
});

function methodNotAllowed(allowed: string[]) {
  return () => {
    throw new ApiProblemError(405, 'methodNotAllowed', { Allow: allowed.join(', ') });
  };
}

/**
 * The JSON API (design §4), following the NL API Design Rules 2.1.0; mounted at /api, version 1
 * under /api/v1. Every answer under /api, errors included, is JSON and carries API-Version.
 */
export function apiRoutes(
  dataSource: DataSource,
  config: Config,
  logger: Logger,
  signer: LogSigner,
  options: {
    /** What is deprecated, with its dates: DEPRECATIONS (api.lifecycle.ts) unless a test gives its own. */
    deprecations?: readonly Deprecation[];
  } = {},
): Router {
  const api = Router();
  const router = Router();
  const urls: ApiUrls = { api: `${config.publicBaseUrl}${paths.api}`, web: config.publicBaseUrl };
  const document = openApiDocument(config.publicBaseUrl);
  const documentJson = JSON.stringify(document);

  // What protects a JSON answer (OWASP REST Security): no sniffing, nothing may load or frame it,
  // no referrer; HSTS in production. The web pages' policies (helmet) are for documents.
  const securityHeaders: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Resource-Policy', 'cross-origin'],
    ...(config.env === 'production'
      ? [['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'] as [string, string]]
      : []),
  ];
  api.use((req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    res.setHeader('API-Version', API_VERSION);
    res.setHeader('Content-Language', apiLanguage(req));
    res.vary('Accept-Language');
    next();
  });
  // Requests per minute per client, counted before anything else is done; preflights cost nothing.
  const requestRate = apiRequestRate(dataSource, config);
  api.use((req, res, next) => (req.method === 'OPTIONS' ? next() : requestRate(req, res, next)));
  api.use((req: Request, _res: Response, next: NextFunction) => {
    // A URL with a trailing slash is not the resource (NL API Design Rules, /core/no-trailing-slash).
    if (req.path.length > 1 && req.path.endsWith('/')) throw new ApiProblemError(404, 'trailingSlash');
    next();
  });

  router.use(
    deprecationHeaders(options.deprecations ?? DEPRECATIONS, `${config.publicBaseUrl}${paths.apiDocs}`),
  );

  router.options(
    [
      '/',
      '/openapi.json',
      '/hostingproviders',
      '/hostingproviders/*rest',
      '/verklaringen/*rest',
      '/statuswijzigingen',
    ],
    readCors,
  );

  const rootJson = JSON.stringify(apiRoot(config.publicBaseUrl, API_VERSION));
  router.get('/', readCors, (req, res) => {
    readQuery(NoQuery, req.query);
    res.type('application/json; charset=utf-8').send(rootJson);
  });

  router.get('/openapi.json', readCors, (_req, res) => {
    res.type('application/json; charset=utf-8').send(documentJson);
  });

  router.get('/hostingproviders', readCors, async (req, res) => {
    const query = readQuery(SearchQuery, req.query);
    const q = query.zoekterm ?? '';
    const pageSize = query.paginaGrootte ?? API_PAGE_SIZE;
    const sort = query.sorteer ? API_SORTS[query.sorteer] : q ? 'relevance' : 'name';
    const result = await searchProviders(
      dataSource,
      {
        q,
        status: query.status,
        sort,
        page: query.pagina ?? 1,
        pageSize,
        clampPage: false,
        cacheSeconds: config.searchCacheSeconds,
      },
      requestTime(res),
    );
    const pageUrl = (page: number) => {
      const params = new URLSearchParams();
      for (const name of ['zoekterm', 'status', 'sorteer', 'paginaGrootte'] as const) {
        if (query[name] !== undefined) params.set(name, String(query[name]));
      }
      params.set('pagina', String(page));
      return { href: `${urls.api}/hostingproviders?${params.toString()}` };
    };
    const links: PaginaLinks = {
      self: pageUrl(result.page),
      first: pageUrl(1),
      last: pageUrl(result.pageCount),
      ...(result.page > 1 ? { prev: pageUrl(Math.min(result.page - 1, result.pageCount)) } : {}),
      ...(result.page < result.pageCount ? { next: pageUrl(result.page + 1) } : {}),
    };
    res.append(
      'Link',
      Object.entries(links)
        .map(([rel, link]) => `<${link.href}>; rel="${rel}"`)
        .join(', '),
    );
    res.json(providerList(result, pageSize, links, urls, apiLanguage(req)));
  });

  router.get('/hostingproviders/:kvkNummer', readCors, async (req, res) => {
    const { kvkNummer: kvk } = readValue(ProviderPath, req.params);
    const now = requestTime(res);
    const query = readQuery(providerQueryOn(now), req.query);
    const detail = await providerDetail(dataSource, kvk, now).catch(notFoundAsProblem);
    const language = apiLanguage(req);
    let body: Hostingprovider;
    if (query.peildatum === undefined) {
      body = providerResource(detail, { status: detail.status, at: now }, urls, language);
    } else {
      const answer = statusOnDate(detail, query.peildatum, now);
      // readQuery refused future dates already; this keeps the types honest.
      if (answer.kind !== 'answer') throw new ValidationError({ peildatum: ['api.invalid.futureDate'] });
      body = providerResource(
        detail,
        { status: answer.status, at: answer.at, dateAnswer: answer },
        urls,
        language,
      );
    }
    // The validator is over the data, not the bytes: `peilmoment` is the moment of asking and
    // says nothing new, so two answers that differ only there are equivalent (a weak ETag). Keeping
    // `peilmoment` in the body keeps v1 as it is.
    setValidators(req, res, {
      etag: weakEtag({ ...body, status: { ...body.status, peilmoment: undefined } }),
      lastModified: lastChangeAt(detail, now),
      cacheControl: CACHE_CURRENT,
    });
    res.json(body);
  });

  router.get('/hostingproviders/:kvkNummer/statuswijzigingen', readCors, async (req, res) => {
    const { kvkNummer: kvk } = readValue(ProviderPath, req.params);
    readQuery(NoQuery, req.query);
    const now = requestTime(res);
    const detail = await providerDetail(dataSource, kvk, now).catch(notFoundAsProblem);
    setValidators(req, res, { lastModified: lastChangeAt(detail, now), cacheControl: CACHE_CURRENT });
    res.json(statusChanges(detail, urls, apiLanguage(req)));
  });

  // The register-wide change feed, oldest first; the cursor is the position of the last change
  // read, in commit order (see status-feed.queries.ts), so a client that follows `next` misses none.
  router.get('/statuswijzigingen', readCors, async (req, res) => {
    const query = readQuery(ChangesQuery, req.query, ['kvkNummer']);
    const after = query.vanaf === undefined ? '0' : must(decodeCursor(query.vanaf), 'read by ChangesQuery');
    const kvkNumbers = query.kvkNummer && [...new Set(query.kvkNummer)];
    const page = await statusChangesAfter(
      dataSource.manager,
      after,
      query.paginaGrootte ?? FEED_PAGE_SIZE,
      kvkNumbers,
    );
    const pageUrl = (cursor: string | undefined) => {
      const params = new URLSearchParams();
      if (cursor !== undefined) params.set('vanaf', cursor);
      for (const kvk of kvkNumbers ?? []) params.append('kvkNummer', kvk);
      if (query.paginaGrootte !== undefined) params.set('paginaGrootte', String(query.paginaGrootte));
      const search = params.toString();
      return `${urls.api}/statuswijzigingen${search ? `?${search}` : ''}`;
    };
    const links = {
      self: pageUrl(query.vanaf),
      next: pageUrl(encodeCursor(page.changes.at(-1)?.position ?? after)),
    };
    res.append('Link', `<${links.next}>; rel="next", <${links.self}>; rel="self"`);
    const newest = Math.max(0, ...page.changes.map((c) => c.recordedAt.getTime()));
    // A full page never changes (its changes are committed, and later ones come after it); the
    // last page grows, so caches keep it briefly. Express adds an ETag over the body.
    setValidators(req, res, {
      lastModified: newest > 0 ? new Date(newest) : undefined,
      cacheControl: page.more ? CACHE_SETTLED : CACHE_CURRENT,
    });
    res.json(changeFeedPage(page, links, urls, apiLanguage(req)));
  });

  router.get('/verklaringen/:nummer', readCors, async (req, res) => {
    const { nummer: number } = readValue(AttestationPath, req.params);
    readQuery(NoQuery, req.query);
    const answer = await verifyAttestation(dataSource, number, requestTime(res)).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new ApiProblemError(404, 'attestationNotFound');
      throw error;
    });
    const proof = await attestationProof(dataSource.manager, number);
    // The attestation was there a moment ago; gone now only if removed in between.
    if (!proof) throw new ApiProblemError(404, 'attestationNotFound');
    const waitSeconds =
      proof.state === 'pending'
        ? await pendingWait(dataSource.manager, signer, requestTime(res), config.checkpointIntervalSeconds)
        : undefined;
    res.json(attestationResource(answer, urls, apiLanguage(req), { proof, waitSeconds }));
  });

  router.post(
    '/controles',
    (req, _res, next) => {
      if (!req.is('application/json')) throw new ApiProblemError(415, 'unsupportedMediaType');
      next();
    },
    express.json({ limit: '2mb', strict: false }),
    bulkCheckSlot(dataSource, config),
    async (req, res) => {
      readQuery(NoQuery, req.query);
      const now = requestTime(res);
      const request = readValue(checkRequestOn(now), req.body);
      const rows = request.kvkNummers.map((kvkInput, index) => ({ line: index + 1, kvkInput }));
      const result = await bulkCheck(dataSource, rows, request.peildatum ?? toLocalDate(now), now);
      res.json(checkResult(result, urls, apiLanguage(req)));
    },
  );

  // A buyer organisation's webhook subscriptions (issue 18): with its API key, not for scripts of other sites (no CORS).
  router.use(
    '/webhook-abonnementen',
    subscriptionRoutes(dataSource, config, secretBox(secretsKeyFor(config)), urls.api),
  );
  // Issue 19: a signal supplier's signals, with its API key.
  router.use('/signalen', signalApiRoutes(dataSource, config, urls.api));
  router.all('/signalen', methodNotAllowed(['GET', 'POST']));
  router.all('/signalen/:id', methodNotAllowed(['GET', 'DELETE']));
  router.all('/webhook-abonnementen', methodNotAllowed(['GET', 'POST']));
  router.all('/webhook-abonnementen/:id', methodNotAllowed(['GET', 'PATCH', 'DELETE']));
  router.all('/webhook-abonnementen/:id/afleveringen', methodNotAllowed(['GET', 'HEAD']));

  router.all('/', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));
  router.all('/openapi.json', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));
  router.all('/hostingproviders', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));
  router.all('/hostingproviders/:kvkNummer', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));
  router.all('/hostingproviders/:kvkNummer/statuswijzigingen', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));
  router.all('/verklaringen/:nummer', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));
  router.all('/statuswijzigingen', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));
  router.all('/controles', methodNotAllowed(['POST']));
  api.use('/v1', router);
  api.use(() => {
    throw new ApiProblemError(404, 'notFound');
  });
  // Every problem may be read by a script on any site, whatever the route (404 and 405 included):
  // a script that cannot read the error cannot tell its user what went wrong.
  api.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!res.headersSent) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS.join(','));
    }
    next(error);
  });
  api.use(problemHandler(logger, `${config.publicBaseUrl}${paths.apiDocs}`));
  return api;
}

/**
 * Sets Deprecation (RFC 9745), Sunset (RFC 8594) and a Link to the deprecation policy on every
 * request that uses a deprecated operation or parameter; several at once: the earliest dates.
 */
function deprecationHeaders(list: readonly Deprecation[], docsUrl: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (list.length === 0) return next();
    const matched = deprecationsFor(list, req.method, req.path, Object.keys(req.query));
    if (matched.length > 0) {
      const first = (pick: (d: Deprecation) => Date) =>
        new Date(Math.min(...matched.map((d) => pick(d).getTime())));
      res.setHeader('Deprecation', deprecationHeader(first((d) => d.deprecatedAt)));
      res.setHeader('Sunset', sunsetHeader(first((d) => d.sunsetAt)));
      res.append('Link', `<${docsUrl}#${DEPRECATION_ANCHOR}>; rel="deprecation"; type="text/html"`);
    }
    next();
  };
}

/** A well-formed KvK number that is not in the register. */
function notFoundAsProblem(error: unknown): never {
  if ((error as { status?: number })?.status === 404) throw new ApiProblemError(404, 'providerNotFound');
  throw error;
}
