import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { actorOf } from '../audit/actor';
import type { User } from '../identity/user.entity';
import { secretsKeyFor } from '../identity/secrets';
import { paths } from '../shared/paths';
import { toLocalDate } from '../shared/time';
import { formValues } from '../shared/validation';
import { type Figure, signalAggregates, type SignalAggregate } from '../signals/signal-aggregates';
import { signalKeys } from '../signals/signal-keys';
import {
  createSignals,
  IDENTIFIER_FIELDS,
  listSignals,
  openSignal,
  readTypedSignal,
  SIGNAL_CATEGORIES,
  SIGNAL_CONFIDENCES,
  type SignalProblem,
  signalOfSupplier,
  signalReference,
  SIGNALS_PER_PAGE,
  signalStatus,
  signalToday,
  typedLines,
  withdrawSignal,
  addYears,
} from '../signals/signal.service';
import { supplierNameOf } from '../signals/signal-supplier.service';
import { requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { pageLinks, pageNumber } from '../web/paging';
import { setFormContext } from '../web/error-handler';
import { readUpload } from '../web/upload';
import { listUpload, packSource, unpackSource } from '../check/bulk-list';
import { ValidationError } from '../shared/errors';
import { MAX_SIGNAL_ROWS, readSignalImport } from '../signals/signal-import';

/** The uploaded list, and the copy the preview keeps (gzip, base64), as a watch list's import. */
const SIGNAL_UPLOAD = listUpload(8);

/** The fields of the signal form, in its order. */
const SIGNAL_FIELDS = [
  ...IDENTIFIER_FIELDS,
  'category',
  'confidence',
  'observedOn',
  'expiresOn',
  'text',
] as const;

/** A signed-in signal supplier as its pages act: the organisation, the person, the audit actor. */
export function signalSupplierOf(user: User | undefined): {
  supplierId: string;
  userId: string;
  actor: string;
} {
  if (!user?.signalSupplierId)
    throw new Error('signalSupplierOf: not a signal supplier (requireRole missing?)');
  return { supplierId: user.signalSupplierId, userId: user.id, actor: actorOf(user) };
}

/** A figure for the page: its number, or "fewer than N". */
const figureView = (f: Figure) =>
  f.shown ? { shown: true, value: f.value } : { shown: false, below: f.below };

const aggregateView = (aggregate: SignalAggregate) => ({
  providers: figureView(aggregate.providers),
  answered: figureView(aggregate.answered),
  actions: aggregate.actions.map((a) => ({ action: a.action, providers: figureView(a.providers) })),
  medianDays: aggregate.medianDays,
  hasMedian: aggregate.medianDays !== undefined,
});

/**
 * Issue 19 §1 and §3, the signal supplier's pages: its signals with their aggregate figures, a new
 * signal by form, one signal (its content; every showing audited) and its withdrawal.
 */
export function signalRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const suppliers = requireRole(config, 'signal_supplier');
  const keys = signalKeys(secretsKeyFor(config));
  const threshold = config.signalAggregateThreshold;
  const options = {
    categoryOptions: SIGNAL_CATEGORIES.map((value) => ({ value, labelKey: `signals.categories.${value}` })),
    confidenceOptions: SIGNAL_CONFIDENCES.map((value) => ({
      value,
      labelKey: `signals.confidences.${value}`,
    })),
  };

  router.get(paths.signals, ...suppliers, async (req, res) => {
    const by = signalSupplierOf(req.user);
    const today = signalToday(requestTime(res));
    const page = pageNumber(req.query.pagina);
    const { signals, total } = await listSignals(dataSource.manager, by.supplierId, page);
    const pageCount = Math.max(1, Math.ceil(total / SIGNALS_PER_PAGE));
    const aggregates = await signalAggregates(
      dataSource.manager,
      signals.map((s) => s.id),
      threshold,
    );
    const pageUrl = (n: number) => `${paths.signals}?pagina=${n}`;
    res.render('signals/list', {
      title: 'signals.title',
      organisationName: await supplierNameOf(dataSource.manager, by.supplierId),
      created: typeof req.query.toegevoegd === 'string' ? req.query.toegevoegd.slice(0, 20) : undefined,
      // Only a count (a link that says "-5" or text says nothing the page may repeat).
      imported:
        typeof req.query.geimporteerd === 'string' && /^[0-9]{1,6}$/.test(req.query.geimporteerd)
          ? req.query.geimporteerd
          : undefined,
      importedBefore:
        typeof req.query.eerderGeimporteerd === 'string' &&
        /^[0-9]{1,6}$/.test(req.query.eerderGeimporteerd) &&
        typeof req.query.op === 'string' &&
        /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(req.query.op)
          ? { count: req.query.eerderGeimporteerd, on: req.query.op }
          : undefined,
      total,
      ...pageLinks(page, pageCount, pageUrl),
      signals: signals.map((s) => ({
        reference: signalReference(s.number),
        url: paths.signal(s.id),
        category: s.category,
        confidence: s.confidence,
        observedOn: s.observedOn,
        expiresOn: s.expiresOn,
        status: signalStatus(s, today),
        aggregate: aggregateView(aggregates.get(s.id)!.aggregate),
      })),
    });
  });

  const newModel = (problems: SignalProblem[] = []) => {
    const fieldErrors: Record<string, string> = {};
    for (const p of problems) fieldErrors[p.field] ??= p.line ? 'signals.invalid.lines' : p.key;
    return {
      title: 'signals.newTitle',
      ...options,
      lineProblems: Object.fromEntries(
        IDENTIFIER_FIELDS.map((field) => [
          field,
          problems
            .filter((p) => p.field === field && p.line)
            .map((p) => ({ line: p.line, key: p.key, value: p.value })),
        ]),
      ),
      errors: fieldErrors,
      errorList: Object.entries(fieldErrors).map(([field, key]) => ({
        field,
        key,
        anchor: field === 'identifiers' ? 'field-kvkNumbers' : `field-${field}`,
      })),
    };
  };

  router.get(paths.signalNew, ...suppliers, (_req, res) => {
    const today = signalToday(requestTime(res));
    res.render('signals/new', {
      ...newModel(),
      values: { confidence: 'high', observedOn: today, expiresOn: addYears(today, 1) },
    });
  });

  router.post(paths.signalNew, ...suppliers, async (req, res) => {
    const by = signalSupplierOf(req.user);
    const now = requestTime(res);
    const values = formValues(req.body, SIGNAL_FIELDS);
    const reading = readTypedSignal(
      {
        identifiers: Object.fromEntries(
          IDENTIFIER_FIELDS.map((field) => [field, typedLines(values[field])]),
        ) as Record<(typeof IDENTIFIER_FIELDS)[number], string[]>,
        category: values.category,
        confidence: values.confidence,
        observedOn: values.observedOn,
        expiresOn: values.expiresOn,
        text: values.text,
      },
      signalToday(now),
    );
    // Everything typed is kept, and every problem named, an identifier's with its line.
    if (!reading.ok) return res.status(400).render('signals/new', { ...newModel(reading.problems), values });
    const { numbers } = await createSignals(
      dataSource,
      keys,
      { ...by, userId: by.userId, apiKeyId: null },
      [reading.input],
      'form',
      { answerDays: config.signalAnswerDays, baseUrl: config.publicBaseUrl },
      now,
    );
    res.redirect(303, `${paths.signals}?toegevoegd=${encodeURIComponent(signalReference(numbers[0]!))}`);
  });

  const importModel = { title: 'signals.importTitle', max: MAX_SIGNAL_ROWS };

  router.get(paths.signalImport, ...suppliers, (_req, res) =>
    res.render('signals/import', { ...importModel, values: {} }),
  );

  // An upload shows every row with its problems; the confirm step (the list kept in `bron`) adds the good ones.
  router.post(paths.signalImport, ...suppliers, async (req, res) => {
    const by = signalSupplierOf(req.user);
    const now = requestTime(res);
    setFormContext(res, { view: 'signals/import', model: importModel, values: {} });
    const file = await readUpload(req, SIGNAL_UPLOAD);
    const values = formValues(req.body, ['bron', 'bevestigen']);
    let bytes: Buffer;
    if (file?.buffer && file.size > 0) {
      bytes = file.buffer;
      values.bron = packSource(bytes);
      values.bevestigen = '';
    } else if (values.bron !== '') bytes = unpackSource(values.bron);
    else throw new ValidationError({ bestand: ['signals.import.noFile'] });
    const read = await readSignalImport(bytes, signalToday(now));
    if (values.bevestigen === '1' && read.inputs.length > 0) {
      const { numbers, alreadyImported } = await createSignals(
        dataSource,
        keys,
        { ...by, apiKeyId: null },
        read.inputs,
        'spreadsheet',
        { answerDays: config.signalAnswerDays, baseUrl: config.publicBaseUrl },
        now,
        { importDigest: createHash('sha256').update(bytes).digest('hex') },
      );
      if (alreadyImported)
        return res.redirect(
          303,
          `${paths.signals}?eerderGeimporteerd=${alreadyImported.count}&op=${toLocalDate(alreadyImported.importedAt)}`,
        );
      return res.redirect(303, `${paths.signals}?geimporteerd=${numbers.length}`);
    }
    res.render('signals/import', {
      ...importModel,
      values: { bron: values.bron },
      preview: true,
      columns: read.columns,
      goodCount: read.inputs.length,
      problemCount: read.rows.length - read.inputs.length,
      rows: read.rows.map((row) => ({
        ...row,
        summary: read.columns
          .map((c) => row.cells[c])
          .filter(Boolean)
          .join(' · '),
        problems: row.problems.map((p) => ({ ...p, fieldKey: `fields.${p.field}` })),
      })),
    });
  });

  router.get(paths.signal(), ...suppliers, async (req, res) => {
    const by = signalSupplierOf(req.user);
    const now = requestTime(res);
    const signal = await openSignal(dataSource, keys, by, String(req.params.id), now, 'page');
    const figures = (await signalAggregates(dataSource.manager, [signal.id], threshold)).get(signal.id)!;
    res.setHeader('Cache-Control', 'no-store');
    res.render('signals/show', {
      title: 'signals.showTitle',
      reference: signalReference(signal.number),
      signal,
      status: signalStatus(signal, signalToday(now)),
      withdrawUrl: paths.signalWithdraw(signal.id),
      withdrawn: req.query.ingetrokken === '1',
      aggregate: aggregateView(figures.aggregate),
      shared: figures.shared,
    });
  });

  router.get(paths.signalWithdraw(), ...suppliers, async (req, res) => {
    const by = signalSupplierOf(req.user);
    // The confirmation names the signal by number and category only: no content, so no read.
    const signal = await signalOfSupplier(dataSource.manager, by.supplierId, String(req.params.id));
    if (signal.withdrawnAt) return res.redirect(303, paths.signal(signal.id));
    res.render('signals/withdraw', {
      title: 'signals.withdrawTitle',
      reference: signalReference(signal.number),
      category: signal.category,
      action: paths.signalWithdraw(signal.id),
      backUrl: paths.signal(signal.id),
    });
  });

  router.post(paths.signalWithdraw(), ...suppliers, async (req, res) => {
    const by = signalSupplierOf(req.user);
    await withdrawSignal(dataSource, by, String(req.params.id), requestTime(res));
    res.redirect(303, `${paths.signal(String(req.params.id))}?ingetrokken=1`);
  });

  return router;
}
