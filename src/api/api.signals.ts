import express, { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { ApiKeyHolder } from '../api-keys/api-key.service';
import type { Config } from '../config';
import { secretsKeyFor } from '../identity/secrets';
import { ValidationError } from '../shared/errors';
import {
  type Figure,
  type SharedMatch,
  type SignalAggregate,
  signalAggregates,
} from '../signals/signal-aggregates';
import { signalKeys } from '../signals/signal-keys';
import type { SignalRow } from '../signals/signal.queries';
import {
  createSignals,
  IDENTIFIER_FIELDS,
  type IdentifierField,
  listSignals,
  openSignal,
  readTypedSignal,
  type SignalProblem,
  signalOfSupplier,
  signalReference,
  SIGNALS_PER_PAGE,
  signalStatus,
  signalToday,
  withdrawSignal,
} from '../signals/signal.service';
import { requestTime } from '../web/clock';
import { readQuery, unknownFields } from './api.params';
import { SignalenQuery } from './api.signal-schemas';
import { holderOf, requireApiKey, requireJson } from './api.subscriptions';

/** The API's (Dutch) names of a signal's identifier fields. */
const IDENTIFIER_NAMES: Record<IdentifierField, string> = {
  kvkNumbers: 'kvkNummers',
  names: 'namen',
  domains: 'domeinen',
  mailDomains: 'maildomeinen',
  ipRanges: 'ipBereiken',
  asNumbers: 'asNummers',
};

/** The API's names of the other fields. */
const FIELD_NAMES: Record<string, string> = {
  identifiers: 'kenmerken',
  category: 'categorie',
  confidence: 'betrouwbaarheid',
  observedOn: 'datum',
  expiresOn: 'verloopdatum',
  text: 'toelichting',
};

const BODY_FIELDS = [
  ...Object.values(IDENTIFIER_NAMES),
  ...Object.values(FIELD_NAMES).filter((n) => n !== 'kenmerken'),
];

/** A problem under the API's name of its field; an identifier's with its place in the list (`domeinen[1]`, from 0). */
const problemName = (p: SignalProblem) =>
  p.field in IDENTIFIER_NAMES
    ? `${IDENTIFIER_NAMES[p.field as IdentifierField]}${p.line ? `[${p.line - 1}]` : ''}`
    : (FIELD_NAMES[p.field] ?? p.field);

/**
 * Reads the body of POST /signalen: lists of strings (AS numbers may be numbers) for the
 * identifiers, strings for the rest; an unknown field or a value of the wrong type is refused by name.
 */
function readBody(body: unknown, today: string) {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError({ body: ['api.invalid.object'] });
  const input = body as Record<string, unknown>;
  const fields = unknownFields(input, BODY_FIELDS);
  const list = (field: IdentifierField): string[] => {
    const value = input[IDENTIFIER_NAMES[field]] ?? [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      fields.set(IDENTIFIER_NAMES[field], ['signals.api.list']);
      return [];
    }
    return value.map(String);
  };
  const text = (name: string): string => {
    const value = input[name] ?? '';
    if (typeof value !== 'string') {
      fields.set(name, ['signals.api.text']);
      return '';
    }
    return value;
  };
  const identifiers = Object.fromEntries(IDENTIFIER_FIELDS.map((f) => [f, list(f)])) as Record<
    IdentifierField,
    string[]
  >;
  const typed = {
    identifiers,
    category: text('categorie'),
    confidence: text('betrouwbaarheid'),
    observedOn: text('datum'),
    expiresOn: text('verloopdatum'),
    text: text('toelichting'),
  };
  if (fields.size > 0) throw new ValidationError(Object.fromEntries(fields));
  const reading = readTypedSignal(typed, today);
  if (!reading.ok) {
    const problems: Record<string, string[]> = {};
    for (const p of reading.problems) (problems[problemName(p)] ??= []).push(p.key);
    throw new ValidationError(problems);
  }
  return reading.input;
}

/** A figure as the API gives it: `{aantal}`, or `{minderDan}` below the threshold. */
const figureResource = (f: Figure) => (f.shown ? { aantal: f.value } : { minderDan: f.below });

const aggregateResource = (aggregate: SignalAggregate, shared: SharedMatch[]) => ({
  aanbiedersMetOvereenkomst: figureResource(aggregate.providers),
  aanbiedersMetAntwoord: figureResource(aggregate.answered),
  perActie: Object.fromEntries(aggregate.actions.map((a) => [a.action, figureResource(a.providers)])),
  mediaanDagenTotAntwoord: aggregate.medianDays ?? null,
  gedeeld: shared.map((s) => ({
    aanbieder: s.providerName,
    referentie: s.reference,
    actie: s.action,
    toelichting: s.note,
  })),
});

/** A signal as the API lists it: what is not secret, and its figures. */
const signalResource = (row: SignalRow, today: string, base: string) => ({
  id: row.id,
  nummer: signalReference(row.number),
  categorie: row.category,
  betrouwbaarheid: row.confidence,
  datum: row.observedOn,
  verloopdatum: row.expiresOn,
  status: signalStatus(row, today),
  bron: row.source,
  aangemaaktOp: row.createdAt.toISOString(),
  links: { self: { href: `${base}/signalen/${row.id}` } },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idOf = (raw: unknown): string => {
  const id = String(raw);
  if (!UUID.test(id)) throw new ValidationError({ id: ['signals.api.id'] });
  return id;
};

/** The supplier a key acts for, as the signal service names a sender and a reader. */
const senderOf = (holder: ApiKeyHolder) => ({
  supplierId: holder.organisationId,
  actor: `api_key:${holder.keyId}`,
  userId: null,
  apiKeyId: holder.keyId,
});

/**
 * /signalen (issue 19): a signal supplier's signals, with an API key of the supplier only. Another
 * supplier's signal is 404, as one that does not exist; reading one (its content) is audited.
 */
export function signalApiRoutes(dataSource: DataSource, config: Config, base: string): Router {
  const router = Router();
  const keys = signalKeys(secretsKeyFor(config));
  const threshold = config.signalAggregateThreshold;
  router.use(requireApiKey(dataSource, 'signal_supplier'));

  router.get('/', async (req, res) => {
    const by = senderOf(holderOf(res));
    const page = readQuery(SignalenQuery, req.query).pagina ?? 1;
    const { signals, total } = await listSignals(dataSource.manager, by.supplierId, page);
    const figures = await signalAggregates(
      dataSource.manager,
      signals.map((s) => s.id),
      threshold,
    );
    const today = signalToday(requestTime(res));
    const pages = Math.max(1, Math.ceil(total / SIGNALS_PER_PAGE));
    const pageUrl = (n: number) => `${base}/signalen?pagina=${n}`;
    res.json({
      signalen: signals.map((s) => {
        const f = figures.get(s.id)!;
        return { ...signalResource(s, today, base), cijfers: aggregateResource(f.aggregate, f.shared) };
      }),
      totaal: total,
      links: {
        self: { href: pageUrl(page) },
        ...(page > 1 ? { prev: { href: pageUrl(Math.min(page - 1, pages)) } } : {}),
        ...(page < pages ? { next: { href: pageUrl(page + 1) } } : {}),
      },
    });
  });

  router.post('/', requireJson, express.json({ limit: '64kb', strict: true }), async (req, res) => {
    const by = senderOf(holderOf(res));
    const now = requestTime(res);
    const input = readBody(req.body, signalToday(now));
    const { ids } = await createSignals(
      dataSource,
      keys,
      by,
      [input],
      'api',
      { answerDays: config.signalAnswerDays, baseUrl: config.publicBaseUrl },
      now,
    );
    // The answer holds what is not secret: the content was the sender's to begin with, and is not read back.
    const signal = await signalOfSupplier(dataSource.manager, by.supplierId, ids[0]!);
    const resource = signalResource(signal, signalToday(now), base);
    res.status(201).location(resource.links.self.href).json(resource);
  });

  router.get('/:id', async (req, res) => {
    const by = senderOf(holderOf(res));
    const now = requestTime(res);
    const signal = await openSignal(dataSource, keys, by, idOf(req.params.id), now, 'api');
    const f = (await signalAggregates(dataSource.manager, [signal.id], threshold)).get(signal.id)!;
    res.json({
      ...signalResource(signal, signalToday(now), base),
      ...contentResource(signal.identity, signal.text),
      cijfers: aggregateResource(f.aggregate, f.shared),
    });
  });

  router.delete('/:id', async (req, res) => {
    const by = senderOf(holderOf(res));
    await withdrawSignal(dataSource, by, idOf(req.params.id), requestTime(res));
    res.status(204).end();
  });

  return router;
}

/** A signal's content under the API's names. */
function contentResource(identity: Record<IdentifierField, (string | number)[]>, text: string) {
  return {
    ...Object.fromEntries(IDENTIFIER_FIELDS.map((f) => [IDENTIFIER_NAMES[f], identity[f]])),
    toelichting: text,
  };
}
