import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { postgresLimiter } from '../database/rate-limits';
import { TooManyRequestsError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { formValues } from '../shared/validation';
import { consume, requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';
import { buyerOf, createApiKey, listApiKeys, revokeApiKey } from './api-key.service';

/** Keys one buyer may make in an hour: enough for any organisation, too few to fill the table. */
const KEYS_PER_USER_PER_HOUR = 20;

/**
 * /inkoop/api-sleutels: a buyer organisation's API keys (issue 18). A new key is shown once, on
 * the answer to the form (not stored for a later page); a key is revoked after a confirmation.
 */
export function apiKeyRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const buyers = requireRole(config, 'buyer');
  const limiter = postgresLimiter(dataSource, {
    keyPrefix: 'api_keys_created',
    points: KEYS_PER_USER_PER_HOUR,
    durationSeconds: 3600,
  });

  const page = async (organisationId: string) => ({
    title: 'apiKeys.title',
    keys: (await listApiKeys(dataSource.manager, organisationId)).map((k) => ({
      ...k,
      revokeUrl: paths.buyerApiKeyRevoke(k.id),
    })),
  });

  router.get(paths.buyerApiKeys, ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    res.render('buyer-api/api-keys', {
      ...(await page(by.organisationId)),
      revoked: req.query.ingetrokken === '1',
      values: { name: '' },
    });
  });

  router.post(paths.buyerApiKeys, ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    const values = formValues(req.body, ['name']);
    setFormContext(res, { view: 'buyer-api/api-keys', model: await page(by.organisationId), values });
    if (!values.name.trim()) throw new ValidationError({ name: ['apiKeys.invalid.nameMissing'] });
    const refusal = await consume(limiter, by.userId);
    if (refusal) throw new TooManyRequestsError(refusal.waitSeconds);
    const { apiKey, key } = await createApiKey(dataSource, by, values.name, requestTime(res));
    // The key is on this answer only: no cache may keep it.
    res.setHeader('Cache-Control', 'no-store');
    res.render('buyer-api/api-keys', {
      ...(await page(by.organisationId)),
      created: { name: apiKey.name, key },
      values: { name: '' },
    });
  });

  router.get(paths.buyerApiKeyRevoke(), ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    const key = (await listApiKeys(dataSource.manager, by.organisationId)).find(
      (k) => k.id === req.params.id && k.revokedAt === null,
    );
    if (!key) return res.redirect(303, paths.buyerApiKeys);
    res.render('buyer-api/api-key-revoke', {
      title: 'apiKeys.revokeTitle',
      key,
      action: paths.buyerApiKeyRevoke(key.id),
    });
  });

  router.post(paths.buyerApiKeyRevoke(), ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    await revokeApiKey(dataSource, by, String(req.params.id), requestTime(res));
    res.redirect(303, `${paths.buyerApiKeys}?ingetrokken=1`);
  });

  return router;
}
