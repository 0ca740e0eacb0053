import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { postgresLimiter } from '../database/rate-limits';
import type { User } from '../identity/user.entity';
import type { Role } from '../identity/user.entity';
import { TooManyRequestsError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { formValues } from '../shared/validation';
import { consume, requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';
import {
  type ApiKeyActor,
  buyerOf,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  signalSupplierKeyActor,
} from './api-key.service';

/** Keys one person may make in an hour: enough for any organisation, too few to fill the table. */
const KEYS_PER_USER_PER_HOUR = 20;

/** One organisation kind's key pages: who may use them, where they are, and what the page says. */
interface KeyPages {
  role: Role;
  actorOf: (user: User | undefined) => ApiKeyActor;
  keysUrl: string;
  revokeUrl: (id?: string) => string;
  introKey: string;
}

const KEY_PAGES: KeyPages[] = [
  // Issue 18: a buyer organisation's keys, for webhook subscriptions.
  {
    role: 'buyer',
    actorOf: (user) => ({ ...buyerOf(user), owner: 'buyer' }),
    keysUrl: paths.buyerApiKeys,
    revokeUrl: paths.buyerApiKeyRevoke,
    introKey: 'apiKeys.intro',
  },
  // Issue 19: a signal supplier's keys, for sending signals through the API.
  {
    role: 'signal_supplier',
    actorOf: signalSupplierKeyActor,
    keysUrl: paths.signalApiKeys,
    revokeUrl: paths.signalApiKeyRevoke,
    introKey: 'apiKeys.signalIntro',
  },
];

/**
 * An organisation's API keys: /inkoop/api-sleutels for a buyer organisation (issue 18),
 * /signalen/api-sleutels for a signal supplier (issue 19); the same pages and rules for both. A new
 * key is shown once, on the answer to the form (not stored for a later page); a key is revoked
 * after a confirmation.
 */
export function apiKeyRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const limiter = postgresLimiter(dataSource, {
    keyPrefix: 'api_keys_created',
    points: KEYS_PER_USER_PER_HOUR,
    durationSeconds: 3600,
  });

  for (const spec of KEY_PAGES) {
    const allowed = requireRole(config, spec.role);
    const page = async (by: ApiKeyActor) => ({
      title: 'apiKeys.title',
      introKey: spec.introKey,
      keysUrl: spec.keysUrl,
      keys: (await listApiKeys(dataSource.manager, by.organisationId, by.owner)).map((k) => ({
        ...k,
        revokeUrl: spec.revokeUrl(k.id),
      })),
    });

    router.get(spec.keysUrl, ...allowed, async (req, res) => {
      const by = spec.actorOf(req.user);
      res.render('buyer-api/api-keys', {
        ...(await page(by)),
        revoked: req.query.ingetrokken === '1',
        values: { keyName: '' },
      });
    });

    router.post(spec.keysUrl, ...allowed, async (req, res) => {
      const by = spec.actorOf(req.user);
      const values = formValues(req.body, ['keyName']);
      setFormContext(res, { view: 'buyer-api/api-keys', model: await page(by), values });
      if (!values.keyName.trim()) throw new ValidationError({ keyName: ['apiKeys.invalid.nameMissing'] });
      const refusal = await consume(limiter, by.userId);
      if (refusal) throw new TooManyRequestsError(refusal.waitSeconds);
      const { apiKey, key } = await createApiKey(dataSource, by, values.keyName, requestTime(res));
      // The key is on this answer only: no cache may keep it.
      res.setHeader('Cache-Control', 'no-store');
      res.render('buyer-api/api-keys', {
        ...(await page(by)),
        created: { name: apiKey.name, key },
        values: { keyName: '' },
      });
    });

    router.get(spec.revokeUrl(), ...allowed, async (req, res) => {
      const by = spec.actorOf(req.user);
      const key = (await listApiKeys(dataSource.manager, by.organisationId, by.owner)).find(
        (k) => k.id === req.params.id && k.revokedAt === null,
      );
      if (!key) return res.redirect(303, spec.keysUrl);
      res.render('buyer-api/api-key-revoke', {
        title: 'apiKeys.revokeTitle',
        key,
        keysUrl: spec.keysUrl,
        action: spec.revokeUrl(key.id),
      });
    });

    router.post(spec.revokeUrl(), ...allowed, async (req, res) => {
      const by = spec.actorOf(req.user);
      await revokeApiKey(dataSource, by, String(req.params.id), requestTime(res));
      res.redirect(303, `${spec.keysUrl}?ingetrokken=1`);
    });
  }

  return router;
}
