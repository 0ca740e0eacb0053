import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { buyerOf } from '../api-keys/api-key.service';
import type { Config } from '../config';
import { postgresLimiter } from '../database/rate-limits';
import { secretBox, secretsKeyFor } from '../identity/secrets';
import { TooManyRequestsError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { formValues } from '../shared/validation';
import { consume, requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';
import {
  createSubscription,
  deleteSubscription,
  deliveryLog,
  enableSubscription,
  getSubscription,
  listSubscriptions,
  organisationWatchLists,
  subscriptionTarget,
  subscriptionRulesOf,
} from './webhook-subscriptions.service';
import { readDeliveryError } from './webhook-errors';
import { countedCreation, SUBSCRIPTIONS_PER_HOUR } from './webhook-limits';
import { sendTestEvent } from './webhook-sender';
import { eventSource } from './webhook-event';

/** Test events one buyer may send in an hour: each one makes the register call an address of their choice. */
const TEST_EVENTS_PER_USER_PER_HOUR = 20;

/** The form's field for each field of the service. */
const FORM_FIELDS: Record<string, string> = {
  url: 'webhookUrl',
  watchList: 'webhookWatchList',
  description: 'webhookDescription',
};

/**
 * /inkoop/webhooks: a buyer organisation's webhook subscriptions (issue 18): make one (the
 * signing secret shown once, on the answer to the form), see its delivery log, turn a disabled one
 * on again, remove one. Another organisation's subscription is 404.
 */
export function webhookRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const buyers = requireRole(config, 'buyer');
  const box = secretBox(secretsKeyFor(config));
  const rules = subscriptionRulesOf(config);
  const limiter = postgresLimiter(dataSource, {
    keyPrefix: 'webhooks_created',
    points: SUBSCRIPTIONS_PER_HOUR,
    durationSeconds: 3600,
  });
  const testLimiter = postgresLimiter(dataSource, {
    keyPrefix: 'webhook_tests',
    points: TEST_EVENTS_PER_USER_PER_HOUR,
    durationSeconds: 3600,
  });

  const page = async (organisationId: string) => {
    const lists = await organisationWatchLists(dataSource.manager, organisationId);
    return {
      title: 'webhooks.title',
      subscriptions: (await listSubscriptions(dataSource.manager, organisationId)).map((s) => ({
        ...s,
        pageUrl: paths.buyerWebhook(s.id),
      })),
      watchListOptions: lists.map((l) => ({ value: l.id, label: l.name })),
    };
  };

  router.get(paths.buyerWebhooks, ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    res.render('buyer-api/webhooks', {
      ...(await page(by.organisationId)),
      deleted: req.query.verwijderd === '1',
      values: { webhookUrl: '', webhookWatchList: '', webhookDescription: '' },
    });
  });

  router.post(paths.buyerWebhooks, ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    const values = formValues(req.body, ['webhookUrl', 'webhookWatchList', 'webhookDescription']);
    // Refused by the hourly limit, the form comes back with what was typed and how long to wait.
    setFormContext(res, {
      view: 'buyer-api/webhooks',
      model: await page(by.organisationId),
      values,
      keepOnTooMany: true,
    });
    const { subscription, secret } = await countedCreation(
      limiter,
      by.userId,
      () =>
        createSubscription(
          dataSource,
          by,
          {
            url: values.webhookUrl,
            watchListId: values.webhookWatchList || null,
            description: values.webhookDescription,
          },
          rules,
          box,
          requestTime(res),
        ),
      'errors.tooMany.webhooks',
    ).catch((error: unknown) => {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(
        Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [FORM_FIELDS[k] ?? k, v])),
        undefined,
        error.params,
      );
    });
    // The secret is on this answer only: no cache may keep it.
    res.setHeader('Cache-Control', 'no-store');
    res.render('buyer-api/webhooks', {
      ...(await page(by.organisationId)),
      created: { url: subscription.url, secret },
      values: { webhookUrl: '', webhookWatchList: '', webhookDescription: '' },
    });
  });

  const detail = async (organisationId: string, id: string) => ({
    title: 'webhooks.detailTitle',
    subscription: await getSubscription(dataSource.manager, organisationId, id),
    attempts: (await deliveryLog(dataSource.manager, organisationId, id)).map((a) => ({
      ...a,
      failure: readDeliveryError(a.error),
    })),
    enableUrl: paths.buyerWebhookEnable(id),
    deleteUrl: paths.buyerWebhookDelete(id),
    testUrl: paths.buyerWebhookTest(id),
  });

  router.get(paths.buyerWebhook(), ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    res.render('buyer-api/webhook', {
      ...(await detail(by.organisationId, String(req.params.id))),
      enabled: req.query.aangezet === '1',
    });
  });

  // A test event, sent at once: the page shows what the receiver answered. Counted against a
  // limit of its own, since each one makes the register call an address of the buyer's choice.
  const testSettings = {
    origin: eventSource(config.publicBaseUrl, config.registerOin),
    box,
    timeoutMs: config.webhookTimeoutMs,
    ...rules,
  };
  router.post(paths.buyerWebhookTest(), ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    const id = String(req.params.id);
    const target = await subscriptionTarget(dataSource.manager, by.organisationId, id);
    const refusal = await consume(testLimiter, by.userId);
    if (refusal) throw new TooManyRequestsError(refusal.waitSeconds, 'errors.tooMany.webhookTests');
    const outcome = await sendTestEvent(target, testSettings, requestTime(res));
    res.render('buyer-api/webhook', {
      ...(await detail(by.organisationId, id)),
      testOutcome: { ...outcome, failure: readDeliveryError(outcome.error) },
    });
  });

  router.post(paths.buyerWebhookEnable(), ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    const id = String(req.params.id);
    await enableSubscription(dataSource, by, id, rules, requestTime(res));
    res.redirect(303, `${paths.buyerWebhook(id)}?aangezet=1`);
  });

  router.post(paths.buyerWebhookDelete(), ...buyers, async (req, res) => {
    const by = buyerOf(req.user);
    await deleteSubscription(dataSource, by, String(req.params.id), requestTime(res));
    res.redirect(303, `${paths.buyerWebhooks}?verwijderd=1`);
  });

  return router;
}
