import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { DataSource } from 'typeorm';
import { type ApiKeyHolder, type ApiKeyOwner, authenticateApiKey } from '../api-keys/api-key.service';
import type { Config } from '../config';
import { postgresLimiter } from '../database/rate-limits';
import type { SecretBox } from '../identity/secrets';
import { ValidationError } from '../shared/errors';
import { clientKey } from '../shared/client-address';
import { requestTime } from '../web/clock';
import {
  type AttemptRow,
  createSubscription,
  deleteSubscription,
  deliveryLog,
  enableSubscription,
  getSubscription,
  listSubscriptions,
  type Subscription,
  type SubscriptionActor,
  subscriptionRulesOf,
} from '../webhooks/webhook-subscriptions.service';
import { countedCreation, SUBSCRIPTIONS_PER_HOUR } from '../webhooks/webhook-limits';
import { ApiProblemError } from './problem';
import { unknownFields } from './api.params';

/** The header an API key is sent in (or `Authorization: Bearer <key>`): never in the query string. */
export const API_KEY_HEADER = 'X-Api-Key';

/** Failed key checks one client may make in a minute before it is refused without a check. */
const KEY_FAILURES_PER_MINUTE = 20;

declare module 'express-serve-static-core' {
  interface Locals {
    /** The organisation an API request acts for, once its key was accepted. */
    apiKeyHolder?: ApiKeyHolder;
  }
}

/** The key a request presents, from X-Api-Key or a Bearer token. */
function presentedKey(req: Request): string | undefined {
  const header = req.get(API_KEY_HEADER)?.trim();
  if (header) return header;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('Authorization') ?? '');
  return bearer?.[1];
}

const unauthorized = () =>
  new ApiProblemError(401, 'unauthorized', { 'WWW-Authenticate': 'Bearer realm="hostingregister"' });

/**
 * Lets a request through with a valid, unrevoked API key of `owner`'s kind (a buyer organisation's
 * unless said otherwise), else 401 (one
 * answer for a missing, malformed, unknown or revoked key), or 403 for a key of a suspended
 * signal supplier organisation. Keys that fail are counted per client:
 * past KEY_FAILURES_PER_MINUTE a client's failing keys get 429 until its minute ends; a valid key
 * still passes.
 */
export function requireApiKey(
  dataSource: DataSource,
  /** Whose keys this API takes: a key of the other kind is refused as any key that is not valid here. */
  owner: ApiKeyOwner = 'buyer',
): (req: Request, res: Response, next: NextFunction) => Promise<void> {
  const failures = postgresLimiter(dataSource, {
    keyPrefix: 'api_key_failures',
    points: KEY_FAILURES_PER_MINUTE,
    durationSeconds: 60,
  });
  return async (req, res, next) => {
    const key = presentedKey(req);
    // No key at all guesses nothing: only a key that fails counts towards the limit.
    if (!key) throw unauthorized();
    // The key is checked first: a valid key passes even from an address whose other requests
    // failed (colleagues behind one gateway), so the limit only slows down guessing.
    const holder = await authenticateApiKey(dataSource.manager, key, requestTime(res));
    // A genuine key of a suspended signal supplier (F22): refused, saying why, without counting as a guess.
    if (holder?.owner === owner && holder.suspended) throw new ApiProblemError(403, 'organisationSuspended');
    if (holder?.owner === owner) {
      res.locals.apiKeyHolder = holder;
      // What a key reads is its organisation's alone: no shared cache may keep it for another key
      // (caches do not treat X-Api-Key as they treat Authorization).
      res.setHeader('Cache-Control', 'no-store');
      return next();
    }
    // A valid key of the other kind of organisation: refused as not valid here, but no guess.
    if (holder) throw unauthorized();
    const client = clientKey(req.ip);
    const record = await failures.get(client);
    if (record && record.consumedPoints >= KEY_FAILURES_PER_MINUTE) {
      throw new ApiProblemError(429, 'tooMany', {
        'Retry-After': String(Math.max(1, Math.ceil(record.msBeforeNext / 1000))),
      });
    }
    await failures.penalty(client, 1);
    throw unauthorized();
  };
}

export const holderOf = (res: Response): ApiKeyHolder => {
  const holder = res.locals.apiKeyHolder;
  if (!holder) throw unauthorized();
  return holder;
};

const actorOfKey = (holder: ApiKeyHolder): SubscriptionActor => ({
  organisationId: holder.organisationId,
  actor: `api_key:${holder.keyId}`,
  apiKeyId: holder.keyId,
});

/** A subscription as the API shows it (never its secret). */
export function subscriptionResource(subscription: Subscription, base: string) {
  const self = `${base}/webhook-abonnementen/${subscription.id}`;
  return {
    id: subscription.id,
    url: subscription.url,
    volglijst: subscription.watchListId,
    omschrijving: subscription.description,
    actief: subscription.disabledAt === null,
    aangemaaktOp: subscription.createdAt.toISOString(),
    uitgeschakeldOp: subscription.disabledAt?.toISOString() ?? null,
    uitschakelreden: subscription.disabledReason,
    opeenvolgendeMislukkingen: subscription.consecutiveFailures,
    links: { self: { href: self }, afleveringen: { href: `${self}/afleveringen` } },
  };
}

const attemptResource = (a: AttemptRow) => ({
  aflevering: a.deliveryId,
  gebeurtenis: a.watchEventId,
  pogingOp: a.attemptedAt.toISOString(),
  duurMs: a.durationMs,
  statuscode: a.statusCode,
  fout: a.error,
  afgeleverdOp: a.deliveredAt?.toISOString() ?? null,
  opgegevenOp: a.givenUpAt?.toISOString() ?? null,
  volgendePogingOp: a.nextAttemptAt?.toISOString() ?? null,
});

/** The API's names for the service's fields. */
const FIELD_NAMES: Record<string, string> = {
  url: 'url',
  watchList: 'volglijst',
  description: 'omschrijving',
};

function renamed(error: unknown): never {
  if (error instanceof ValidationError) {
    throw new ValidationError(
      Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [FIELD_NAMES[k] ?? k, v])),
      undefined,
      error.params,
    );
  }
  throw error;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the body of POST: url (required), volglijst (uuid or null), omschrijving; nothing else. */
function readNewSubscription(body: unknown) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError({ body: ['api.invalid.object'] });
  }
  const input = body as Record<string, unknown>;
  const fields = unknownFields(input, ['url', 'volglijst', 'omschrijving']);
  if (typeof input.url !== 'string') fields.set('url', ['webhooks.invalid.urlMissing']);
  const list = input.volglijst ?? null;
  if (list !== null && (typeof list !== 'string' || !UUID.test(list)))
    fields.set('volglijst', ['webhooks.invalid.watchList']);
  const description = input.omschrijving ?? '';
  if (typeof description !== 'string') fields.set('omschrijving', ['webhooks.invalid.descriptionTooLong']);
  if (fields.size > 0) throw new ValidationError(Object.fromEntries(fields));
  return { url: input.url as string, watchListId: list as string | null, description: description as string };
}

/** A subscription's id in the path must be a UUID (400 with `invalidParams` otherwise, as other paths' parameters). */
const idOf = (req: Request): string => {
  const id = String(req.params.id);
  if (!UUID.test(id)) throw new ValidationError({ id: ['webhooks.invalid.id'] });
  return id;
};

export const requireJson = (req: Request, _res: Response, next: NextFunction) => {
  if (!req.is('application/json')) throw new ApiProblemError(415, 'unsupportedMediaType');
  next();
};

/**
 * /webhook-abonnementen: a buyer organisation's webhook subscriptions, with an API key of the
 * organisation (issue 18). Another organisation's subscription is 404, as one that does not exist.
 */
export function subscriptionRoutes(
  dataSource: DataSource,
  config: Config,
  box: SecretBox,
  base: string,
): Router {
  const router = Router();
  const rules = subscriptionRulesOf(config);
  // The same hourly limit as the web form, per key.
  const created = postgresLimiter(dataSource, {
    keyPrefix: 'webhooks_created_api',
    points: SUBSCRIPTIONS_PER_HOUR,
    durationSeconds: 3600,
  });
  router.use(requireApiKey(dataSource, 'buyer'));

  router.get('/', async (_req, res) => {
    const holder = holderOf(res);
    const list = await listSubscriptions(dataSource.manager, holder.organisationId);
    res.json({
      webhookAbonnementen: list.map((s) => subscriptionResource(s, base)),
      links: { self: { href: `${base}/webhook-abonnementen` } },
    });
  });

  router.post('/', requireJson, express.json({ limit: '16kb', strict: true }), async (req, res) => {
    const holder = holderOf(res);
    const input = readNewSubscription(req.body);
    const { subscription, secret } = await countedCreation(created, holder.keyId, () =>
      createSubscription(dataSource, actorOfKey(holder), input, rules, box, requestTime(res)),
    ).catch(renamed);
    const resource = subscriptionResource(subscription, base);
    res
      .status(201)
      // The secret is on this answer only: no cache may keep it.
      .setHeader('Cache-Control', 'no-store')
      .location(resource.links.self.href)
      .json({ ...resource, geheim: secret });
  });

  router.get('/:id', async (req, res) => {
    const holder = holderOf(res);
    res.json(
      subscriptionResource(await getSubscription(dataSource.manager, holder.organisationId, idOf(req)), base),
    );
  });

  router.patch('/:id', requireJson, express.json({ limit: '4kb', strict: true }), async (req, res) => {
    const holder = holderOf(res);
    const id = idOf(req);
    const body = req.body as Record<string, unknown>;
    const extra = Object.keys(body ?? {}).filter((k) => k !== 'actief');
    if (body?.actief !== true || extra.length > 0) {
      throw new ValidationError({
        ...(body?.actief !== true ? { actief: ['webhooks.invalid.onlyEnable'] } : {}),
        ...Object.fromEntries(extra.map((k) => [k, ['api.invalid.unknownField']])),
      });
    }
    const subscription = await enableSubscription(
      dataSource,
      actorOfKey(holder),
      id,
      rules,
      requestTime(res),
    );
    res.json(subscriptionResource(subscription, base));
  });

  router.delete('/:id', async (req, res) => {
    const holder = holderOf(res);
    await deleteSubscription(dataSource, actorOfKey(holder), idOf(req), requestTime(res));
    res.status(204).end();
  });

  router.get('/:id/afleveringen', async (req, res) => {
    const holder = holderOf(res);
    const id = idOf(req);
    const log = await deliveryLog(dataSource.manager, holder.organisationId, id);
    res.json({
      afleveringen: log.map(attemptResource),
      links: { self: { href: `${base}/webhook-abonnementen/${id}/afleveringen` } },
    });
  });
  return router;
}
