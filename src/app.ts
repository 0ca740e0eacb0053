import { actorOf } from './audit/actor';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { DataSource } from 'typeorm';
import { accountRoutes } from './web/account.routes';
import { staffRoutes } from './web/staff.routes';
import { portalRoutes } from './portal/portal.routes';
import { buyerRoutes } from './portal/buyer.routes';
import { watchListRoutes } from './portal/watch-list.routes';
import { resellerRoutes } from './portal/reseller.routes';
import { watchRoutes } from './watch/watch.routes';
import { aanRoutes } from './aan/aan.routes';
import { apiRoutes } from './api/api.routes';
import { attestationRoutes } from './attestation/attestation.routes';
import { auditRoutes } from './audit-browser/audit.routes';
import { type Keyring, signingKeyring } from './attestation/signing';
import { apiDocsRoutes } from './api/docs.routes';
import type { Deprecation } from './api/api.lifecycle';
import { limitHeavyWork } from './database/heavy-work';
import { csrfTokens, loadUser, loginLimiters, refuseCrossSite, sessionMiddleware } from './web/auth';
import { limitPasswordHashing, withHashingClient } from './identity/password';
import { clientKey } from './shared/client-address';
import { securityEventRecorder } from './audit/security-events';
import { applicationRoutes } from './application/application.routes';
import { checkRoutes } from './check/check.routes';
import { reviewRoutes } from './application/review.routes';
import { dossierRoutes } from './application/dossier.routes';
import type { Config } from './config';
import type { Clock } from './shared/clock';
import { providerRoutes } from './register/provider.routes';
import { settingsRoutes } from './settings/settings.routes';
import { apiKeyRoutes } from './api-keys/api-keys.routes';
import { signalRoutes } from './portal/signal.routes';
import { signalSupplierRoutes } from './portal/signal-suppliers.routes';
import { webhookRoutes } from './webhooks/webhooks.routes';
import { codeOfConductRoutes } from './status/code-of-conduct.routes';
import { errorHandler, notFoundHandler } from './web/error-handler';
import { healthRoutes } from './web/health.routes';
import { languageMiddleware } from './web/language';
import type { Lifecycle } from './shared/lifecycle';
import { type Logger, withRequestLogger } from './shared/logger';
import { outboxRoutes } from './web/outbox.routes';
import { openDataRoutes } from './open-data/open-data.routes';
import {
  checkpointHistoryRoutes,
  cosignatureRoutes,
  transparencyRoutes,
} from './transparency/transparency.routes';
import { transparencyPageRoutes } from './transparency/transparency-page.routes';
import { type LogKey, loadLogKey } from './transparency/log-key';
import { type LogSigner, logSigner } from './transparency/checkpoint.service';
import { pageRoutes } from './web/pages.routes';
import { readSettings } from './settings/settings.service';
import { noStore, refuseForbiddenCharacters } from './web/request-guards';
import { paths } from './shared/paths';
import { maskSingleUseLinks } from './shared/single-use-links';
import { RAW_PATH_MAX, routePattern } from './web/route-pattern';
import { listFormBodies } from './web/list-forms';
import { isUploadRoute, multipartOnlyOnUploads } from './web/upload';
import { configureViews } from './web/views';
import { clockMiddleware } from './web/clock';
import { eherkenningRoutes } from './portal/eherkenning.routes';
import { eherkenningClient } from './identity/eherkenning-client';
import { demoOidcProvider } from './identity/demo-oidc-provider';
import { demoEherkenningAccounts } from './seed/demo-eherkenning';
import { DEMO_EHERKENNING_CLIENT, DEMO_EHERKENNING_PATH } from './config';

export interface AppDependencies {
  config: Config;
  dataSource: DataSource;
  logger: Logger;
  lifecycle: Lifecycle;
  /** Where routes and middleware read the time: `systemClock` in the running register. */
  clock: Clock;
  /** The key that signs attestations; by default the configured one (or the development one). */
  keyring?: Keyring;
  /** What the API announces as deprecated; by default DEPRECATIONS (src/api/api.lifecycle.ts). */
  apiDeprecations?: readonly Deprecation[];
  /** The transparency log's key; by default the configured one (or the development one). */
  logKey?: LogKey;
  /**
   * The checkpoint signer (the key and its memory, LOG_SIGNER_STATE_FILE), shared with the
   * process's signing job so the pages hear of its refusals; by default one on the configured file.
   */
  signer?: LogSigner;
}

const ROOT = path.join(__dirname, '..', '..');
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * What a log line says of a request: its id, method and URL with the secret of a single-use link
 * masked. Never headers (cookies are sessions), never bodies.
 */
function requestForLog(req: { id?: unknown; method?: string; url?: string }) {
  return { id: req.id, method: req.method, url: req.url && maskSingleUseLinks(req.url) };
}

/** The style sheets the pages use, served by the register itself (no CDN). */
const STYLESHEETS: Record<string, string> = {
  'nlds/design-tokens.css': 'node_modules/@rijkshuisstijl-community/design-tokens/dist/index.css',
  'nlds/components.css': 'node_modules/@rijkshuisstijl-community/components-css/dist/index.css',
};

/**
 * The built-in eHerkenning test provider under /demo-eherkenning (only outside production: the
 * configuration refuses it there), before cookies, body parsing and CSRF: it is another site, with
 * its own. Started on its first request (oidc-provider is loaded only then).
 */
function mountDemoEherkenning(app: Express, config: Config): void {
  const settings = config.eherkenning!;
  let started: ReturnType<typeof demoOidcProvider> | undefined;
  app.use(DEMO_EHERKENNING_PATH, (req, res, next) => {
    started ??= demoOidcProvider({
      issuer: settings.issuer,
      kvkClaim: settings.kvkClaim,
      accounts: demoEherkenningAccounts(),
      clients: [
        {
          clientId: DEMO_EHERKENNING_CLIENT.id,
          clientSecret: DEMO_EHERKENNING_CLIENT.secret,
          redirectUris: [settings.redirectUrl],
        },
      ],
    });
    started.then((demo) => demo.handler(req, res), next);
  });
}

export function createApp({
  config,
  dataSource,
  logger,
  lifecycle,
  clock,
  keyring,
  apiDeprecations,
  logKey,
  signer,
}: AppDependencies): Express {
  const app = express();
  const signing = keyring ?? signingKeyring(config, clock);
  const log = signer?.key ?? logKey ?? loadLogKey(config);
  const logSigning = signer ?? logSigner(log, config.logSignerStateFile, (message) => logger.warn(message));
  app.disable('x-powered-by');
  // Only the proxies the operator names: trusting one more hop than exists lets a client choose its IP.
  app.set('trust proxy', config.trustProxy);
  limitPasswordHashing(config.passwordHashConcurrency, config.passwordHashQueue);
  // Bulk checks and full downloads hold at most this share of the pool; lookups keep the rest.
  limitHeavyWork(dataSource, {
    sharePercent: config.heavyPoolSharePercent,
    waitSeconds: config.heavyWaitSeconds,
  });
  const securityEvents = securityEventRecorder(dataSource, logger, clock);
  configureViews(app);
  // Compiled templates are kept, except while developing (edits then show without a restart).
  app.set('view cache', config.env !== 'development');

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customAttributeKeys: { reqId: 'reqId' },
      // Every line of a request carries its id; the closing line says what was asked and answered.
      quietReqLogger: true,
      customSuccessObject: (req, res, fields: object) => ({
        ...requestForLog(req),
        statusCode: res.statusCode,
        ...fields,
        req: undefined,
        res: undefined,
      }),
      customErrorObject: (req, res, error, fields: object) => ({
        ...requestForLog(req),
        statusCode: res.statusCode,
        ...fields,
        err: error,
        req: undefined,
        res: undefined,
      }),
      // pino-http's own serializers would write every header (the session cookie among them).
      serializers: {
        req: requestForLog,
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === paths.healthz || req.url === paths.readyz },
    }),
  );
  app.use((req, _res, next) => withRequestLogger(req.log, next));
  app.use(clockMiddleware(clock));
  // Password hashing is shared out per client: one address cannot fill the queue for everyone.
  app.use((req, _res, next) => withHashingClient(clientKey(req.ip), next));

  // gzip or brotli when the client asks (brotli at quality 4, the package's default: fast enough
  // for streamed downloads). Only compressible types (text, JSON, XML, CSV; never PDFs, ZIPs or
  // spreadsheets, which are compressed already) and bodies of 1 KB or more; streamed downloads
  // still stream, the compressor passing on each piece it has made (src/web/stream.ts).
  app.use(compression());

  const production = config.env === 'production';
  // The API is stateless and answers JSON only: no cookies, sessions, CSRF or pages, and the
  // security headers of a JSON API (set by its router) rather than those of web pages.
  app.use('/api', apiRoutes(dataSource, config, logger, logSigning, { deprecations: apiDeprecations }));
  // Witnesses post their cosignatures as machines do: no cookies, sessions or CSRF tokens either;
  // a cosignature is authenticated by its own signature.
  app.use(cosignatureRoutes(dataSource, config));
  if (config.eherkenning?.mode === 'demo') mountDemoEherkenning(app, config);

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          ...(production ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: production ? { maxAge: 31536000, includeSubDomains: true } : false,
      // Nothing leaves for other sites; within the register the browser may say where a request
      // comes from (with no-referrer it would send `Origin: null` on every form post).
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use((_req, res, next) => {
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    next();
  });

  // The log's files: the same for everyone, so before cookies, language and sessions.
  app.use(transparencyRoutes(dataSource, log, logSigning.memory));

  app.use(cookieParser());
  app.use(languageMiddleware(production));
  app.use((req, res, next) => {
    res.locals.currentPath = req.path;
    res.locals.paths = paths;
    next();
  });

  // Before any route: cross-site posts and multipart bodies outside the upload routes end here.
  app.use(refuseCrossSite(config));
  app.use(multipartOnlyOnUploads);

  app.use(healthRoutes(dataSource, lifecycle));

  const staticOptions = { maxAge: production ? '1d' : 0, fallthrough: false, index: false };
  for (const [urlPath, file] of Object.entries(STYLESHEETS)) {
    app.get(`${paths.assets}/${urlPath}`, (_req, res) =>
      res.sendFile(path.join(ROOT, file), { maxAge: staticOptions.maxAge }),
    );
  }
  // A printed page shows where its links lead in full (app.css, @media print); a relative link
  // needs the register's own address, which only the configuration knows.
  const originStylesheet = `:root { --register-origin: ${JSON.stringify(new URL(config.publicBaseUrl).origin)}; }\n`;
  app.get(paths.originStylesheet, (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', `public, max-age=${production ? 86400 : 0}`);
    res.send(originStylesheet);
  });
  app.use(paths.assets, express.static(path.join(ROOT, 'public'), staticOptions));

  // Forms only: small URL-encoded bodies; uploads are parsed by their own route. The forms of
  // identifier lists take more, so that a long list is refused on the form itself (list-forms.ts).
  app.use(listFormBodies());
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 100 }));
  app.use(refuseForbiddenCharacters);
  app.use(noStore);
  app.use(sessionMiddleware(config, dataSource, logger));
  app.use(loadUser(dataSource, config));
  const csrf = csrfTokens(config, isUploadRoute);
  app.locals.csrf = csrf;
  app.use(csrf.protection);

  app.use(pageRoutes(async () => (await readSettings(dataSource.manager, config)).contactEmail));
  app.use(apiDocsRoutes(config));
  app.use(openDataRoutes(dataSource, config));
  app.use(checkpointHistoryRoutes(dataSource, log));
  app.use(transparencyPageRoutes(dataSource, config, log, logSigning.memory));
  app.use(providerRoutes(dataSource, { searchCacheSeconds: config.searchCacheSeconds }));
  const limiters = loginLimiters(dataSource, config);
  app.locals.eherkenningOffered = config.eherkenning !== undefined;
  app.locals.eherkenningLevel = config.eherkenning?.assuranceLevel;
  app.use(
    eherkenningRoutes({
      dataSource,
      config,
      limiters,
      securityEvents,
      client: config.eherkenning && eherkenningClient(config.eherkenning, logger),
    }),
  );
  app.use(accountRoutes({ dataSource, config, limiters, securityEvents }));
  app.use(portalRoutes({ dataSource, config, limiters, securityEvents }));
  app.use(buyerRoutes({ dataSource, config, limiters, securityEvents }));
  app.use(watchListRoutes(dataSource, config));
  app.use(resellerRoutes(dataSource, config));
  app.use(watchRoutes({ dataSource, config, limiters, securityEvents }));
  app.use(applicationRoutes(dataSource, config));
  app.use(checkRoutes(dataSource, config));
  app.use(reviewRoutes(dataSource, config));
  app.use(dossierRoutes(dataSource, config));
  app.use(attestationRoutes(dataSource, config, signing, logSigning));
  app.use(auditRoutes(dataSource, config, logSigning));
  app.use(aanRoutes(dataSource, config));
  app.use(staffRoutes(dataSource, config));
  app.use(outboxRoutes(dataSource, config));
  app.use(codeOfConductRoutes(dataSource, config));
  app.use(settingsRoutes(dataSource, config));
  app.use(apiKeyRoutes(dataSource, config));
  app.use(webhookRoutes(dataSource, config));
  app.use(signalRoutes(dataSource, config));
  app.use(signalSupplierRoutes(dataSource, config));

  app.use(notFoundHandler);
  app.use(
    errorHandler(logger, {
      csrfRefused: (req) =>
        securityEvents({
          kind: 'csrf_refused',
          ip: req.ip ?? 'unknown',
          userId: req.user?.id,
          // A refusal in a signed-in session (a stale form, usually) names that user, not "anonymous".
          actor: req.user && actorOf(req.user),
          // The route as the code names it; the path as it came (anyone can write text into it),
          // cut short, goes beside the log, erasable.
          data: { method: req.method, route: routePattern(req) },
          personal: { path: maskSingleUseLinks(req.path).slice(0, RAW_PATH_MAX) },
        }),
    }),
  );
  return app;
}
