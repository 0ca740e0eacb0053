import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { listUpload, packSource, unpackSource } from '../check/bulk-list';
import { secretsKeyFor } from '../identity/secrets';
import type { User } from '../identity/user.entity';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isUuid } from '../shared/identifiers';
import { paths } from '../shared/paths';
import { type Language, translate } from '../shared/i18n';
import { toLocalDate } from '../shared/time';
import { formValues } from '../shared/validation';
import { readResellerImport } from '../signals/declared-reseller.import';
import { declarationOf, declarationPage, type DeclarationRow } from '../signals/declared-reseller.queries';
import {
  DECLARATION_FIELDS,
  declarationRoom,
  declareResellers,
  type DeclaringUser,
  readDeclaration,
  removeDeclaredReseller,
  resellerLimitsOf,
} from '../signals/declared-reseller.service';
import {
  answerMatch,
  decidePossibleMatch,
  MATCH_ACTIONS,
  MAX_NOTE,
  providerMatch,
  providerMatches,
} from '../signals/signal-match.service';
import { signalKeys } from '../signals/signal-keys';
import type { MatchSettings } from '../signals/signal-matching';
import { requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';
import { readUpload } from '../web/upload';
import { pageLinks, pageNumber } from '../web/paging';
import { signalsWithheld } from '../signals/signal-matching.queries';

/** Declared resellers shown on one page of the list. */
export const RESELLER_PAGE_SIZE = 50;

/** The copy of an uploaded list the preview keeps (gzip, base64), as the watch list import keeps its list. */
const IMPORT_UPLOAD = listUpload(8);

/** What names a declared reseller in a sentence: its first name, else the reference, else its first identifier. */
const labelOf = (r: Omit<DeclarationRow, 'match_id' | 'match_kind'>) =>
  r.names[0] ||
  r.reference ||
  r.domains[0] ||
  r.kvk_number ||
  r.mail_domains[0] ||
  r.ip_ranges[0] ||
  (r.as_numbers[0] ? `AS${r.as_numbers[0]}` : '');

/** The person as the declaring and answering services take them: a provider user of one organisation. */
function providerPerson(user: User): DeclaringUser {
  if (!user.providerId) throw new NotFoundError();
  return { id: user.id, role: 'provider', providerId: user.providerId };
}

/**
 * A provider's declared resellers and the signals that match them (issue 19 §2): the list with an
 * add form and an import, removing one; the matches with the signal's content (each showing
 * audited), confirming or dismissing a possible match, and the answer. Only the provider's own
 * people; another provider's record is not found.
 */
export function resellerRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const providers = requireRole(config, 'provider');
  const keys = signalKeys(secretsKeyFor(config));
  const limits = resellerLimitsOf(config);
  const settings: MatchSettings = { answerDays: config.signalAnswerDays, baseUrl: config.publicBaseUrl };

  const listModel = async (user: User, now: Date, query: { zoek?: unknown; pagina?: unknown }) => {
    const person = providerPerson(user);
    const filter = typeof query.zoek === 'string' ? query.zoek.trim().slice(0, 200) : '';
    const requested = pageNumber(query.pagina);
    const first = await declarationPage(
      dataSource.manager,
      person.providerId,
      filter,
      toLocalDate(now),
      RESELLER_PAGE_SIZE,
      (requested - 1) * RESELLER_PAGE_SIZE,
    );
    const pageCount = Math.max(1, Math.ceil(first.total / RESELLER_PAGE_SIZE));
    const page = Math.min(requested, pageCount);
    const { rows, total } =
      page === requested
        ? first
        : await declarationPage(
            dataSource.manager,
            person.providerId,
            filter,
            toLocalDate(now),
            RESELLER_PAGE_SIZE,
            (page - 1) * RESELLER_PAGE_SIZE,
          );
    // Only an organisation whose identity a reviewer confirmed may declare (declareResellers refuses
    // it); before that the page says so and offers neither the form nor the import (F23).
    const [provider] = await dataSource.query<{ confirmed: boolean }[]>(
      `SELECT identity_confirmed_at IS NOT NULL AS confirmed FROM providers WHERE id = $1`,
      [person.providerId],
    );
    // A provider whose listing was revoked may not declare either (declareResellers refuses it): the
    // page says why instead of offering a form that would be refused.
    const revoked = await signalsWithheld(dataSource.manager, person.providerId);
    const pageUrl = (n: number) =>
      `${paths.resellers}?${new URLSearchParams({ ...(filter ? { zoek: filter } : {}), pagina: String(n) }).toString()}`;
    return {
      title: 'resellers.title',
      identityConfirmed: provider?.confirmed === true,
      revoked,
      offerForms: provider?.confirmed === true && !revoked,
      filter,
      total,
      ...pageLinks(page, pageCount, pageUrl),
      limits,
      resellers: rows.map((r) => ({
        ...r,
        removeUrl: paths.resellerRemove(r.id),
        matchUrl: r.match_id ? paths.signalMatch(r.match_id) : undefined,
        label: labelOf(r),
      })),
      urls: { add: paths.resellers, import: paths.resellerImport, matches: paths.signalMatches },
    };
  };
  const emptyForm = () =>
    Object.fromEntries(DECLARATION_FIELDS.map((f) => [f, ''])) as Record<string, string>;

  router.get(paths.resellers, ...providers, async (req, res) => {
    const model = await listModel(req.user!, requestTime(res), req.query);
    const added = typeof req.query.toegevoegd === 'string' ? Number.parseInt(req.query.toegevoegd, 10) : NaN;
    const removed =
      typeof req.query.verwijderd === 'string' ? Number.parseInt(req.query.verwijderd, 10) : NaN;
    res.render('resellers/list', {
      ...model,
      added: Number.isFinite(added) ? added : undefined,
      removed: Number.isFinite(removed) ? removed : undefined,
      values: emptyForm(),
    });
  });

  router.post(paths.resellers, ...providers, async (req, res) => {
    const now = requestTime(res);
    const values = formValues(req.body, DECLARATION_FIELDS);
    setFormContext(res, {
      view: 'resellers/list',
      // The form again with what was typed and its error, also when the refusal is that the
      // identity is not yet confirmed (a page opened before, or a second tab).
      load: async () => ({ model: { ...(await listModel(req.user!, now, {})), offerForms: true }, values }),
    });
    const reading = readDeclaration(values);
    if (!reading.ok) throw new ValidationError(reading.fields, undefined, reading.params);
    const outcome = await dataSource.transaction((m) =>
      declareResellers(
        m,
        keys,
        providerPerson(req.user!),
        [reading.value],
        { source: 'form', field: 'resellerNames' },
        limits,
        settings,
        now,
      ),
    );
    res.redirect(303, `${paths.resellers}?toegevoegd=${outcome.ids.length}`);
  });

  // Removing asks first, on a page of its own that shows which reseller (no script needed).
  router.get(paths.resellerRemove(), ...providers, async (req, res) => {
    const id = String(req.params.id);
    if (!isUuid(id)) throw new NotFoundError();
    const reseller = await declarationOf(dataSource.manager, providerPerson(req.user!).providerId, id);
    if (!reseller) throw new NotFoundError();
    res.render('resellers/remove', {
      title: 'resellers.removeTitle',
      reseller: { ...reseller, label: labelOf(reseller) },
      urls: { remove: paths.resellerRemove(id), list: paths.resellers },
    });
  });

  router.post(paths.resellerRemove(), ...providers, async (req, res) => {
    const id = String(req.params.id);
    if (!isUuid(id)) throw new NotFoundError();
    await dataSource.transaction((m) =>
      removeDeclaredReseller(m, providerPerson(req.user!), id, requestTime(res)),
    );
    res.redirect(303, `${paths.resellers}?verwijderd=1`);
  });

  // An uploaded list: first a preview of every row with its problems, then (with `bevestigen`) the
  // good rows are declared. The file travels with the preview (compressed), as a watch list's does.
  router.post(paths.resellerImport, ...providers, async (req, res) => {
    const now = requestTime(res);
    setFormContext(res, {
      view: 'resellers/list',
      load: async () => ({
        model: { ...(await listModel(req.user!, now, {})), offerForms: true },
        values: emptyForm(),
      }),
    });
    const person = providerPerson(req.user!);
    const file = await readUpload(req, IMPORT_UPLOAD);
    const values = formValues(req.body, ['bron', 'bevestigen', 'vervangen']);
    let bytes: Buffer;
    if (file?.buffer && file.size > 0) {
      bytes = file.buffer;
      values.bron = packSource(bytes);
      values.bevestigen = '';
    } else if (values.bron !== '') bytes = unpackSource(values.bron);
    else throw new ValidationError({ bestand: ['resellers.importFileRequired'] });
    const read = await readResellerImport(bytes);
    const replace = values.vervangen === '1';
    if (values.bevestigen === '1' && read.declarations.length > 0) {
      setFormContext(res, {
        view: 'resellers/import',
        load: () =>
          Promise.resolve({
            model: importModel(read, values, replace, (res.locals.lang ?? 'nl') as Language),
            values: { bron: values.bron },
          }),
      });
      const outcome = await dataSource.transaction((m) =>
        declareResellers(
          m,
          keys,
          person,
          read.declarations,
          { source: 'spreadsheet', replace, field: 'bestand' },
          limits,
          settings,
          now,
        ),
      );
      return res.redirect(
        303,
        `${paths.resellers}?toegevoegd=${outcome.ids.length}&verwijderd=${outcome.removed.length}`,
      );
    }
    // The preview already says when the new rows exceed what still fits today, and how much does:
    // confirming would be refused (declareResellers checks again, under its lock).
    const room = await declarationRoom(
      dataSource.manager,
      person.providerId,
      read.declarations,
      limits,
      replace,
      now,
    );
    res.render('resellers/import', {
      ...importModel(read, values, replace, (res.locals.lang ?? 'nl') as Language),
      overDay:
        room.freshValues > room.dayLeft
          ? { count: room.freshValues, left: room.dayLeft, limit: limits.perDay }
          : undefined,
      values: { bron: values.bron },
    });
  });

  const importModel = (
    read: Awaited<ReturnType<typeof readResellerImport>>,
    values: Record<string, string>,
    replace: boolean,
    language: Language,
  ) => ({
    title: 'resellers.importTitle',
    listUrl: paths.resellers,
    importUrl: paths.resellerImport,
    bron: values.bron,
    replace,
    columns: read.columns,
    rows: read.rows.map((row) => ({
      ...row,
      // Each row's messages with its own line numbers (the page's placeholders are one set for all rows).
      problemTexts: row.problems.map((p) => ({
        ...p,
        text: translate(language, p.key, { ...row.params, max: 100 }),
      })),
      summary: [row.value?.names[0], row.value?.kvkNumber, row.value?.domains[0], row.value?.ipRanges[0]]
        .filter(Boolean)
        .join(' · '),
    })),
    goodCount: read.declarations.length,
    problemCount: read.rows.filter((r) => r.problems.length > 0).length,
  });

  router.get(paths.signalMatches, ...providers, async (req, res) => {
    const { current, earlier, withheld, total, page, pageCount } = await providerMatches(
      dataSource,
      keys,
      providerPerson(req.user!),
      requestTime(res),
      pageNumber(req.query.pagina),
    );
    const pageUrl = (n: number) => `${paths.signalMatches}?pagina=${n}`;
    res.render('signal-matches/list', {
      title: 'signalMatches.title',
      current,
      earlier,
      withheld,
      total,
      ...pageLinks(page, pageCount, pageUrl),
      resellersUrl: paths.resellers,
    });
  });

  const matchModel = async (user: User, id: string, now: Date) => {
    const { match, answers, withheld, others } = await providerMatch(
      dataSource,
      keys,
      providerPerson(user),
      id,
      now,
    );
    return {
      title: 'signalMatches.matchTitle',
      titleParams: { number: match.signalNumber },
      match,
      withheld,
      answers,
      others,
      actions: MATCH_ACTIONS,
      maxNote: MAX_NOTE,
      urls: {
        list: paths.signalMatches,
        decision: paths.signalMatchDecision(match.id),
        answer: paths.signalMatchAnswer(match.id),
      },
    };
  };

  router.get(paths.signalMatch(), ...providers, async (req, res) => {
    const model = await matchModel(req.user!, String(req.params.id), requestTime(res));
    res.render('signal-matches/match', {
      ...model,
      values: {
        matchAction: model.match.action ?? '',
        matchNote: '',
        matchShare: model.match.shared ? '1' : '',
      },
    });
  });

  router.post(paths.signalMatchDecision(), ...providers, async (req, res) => {
    const id = String(req.params.id);
    const now = requestTime(res);
    const values = formValues(req.body, ['matchDecision']);
    setFormContext(res, {
      view: 'signal-matches/match',
      load: async () => ({
        model: await matchModel(req.user!, id, now),
        values: { ...values, matchAction: '', matchNote: '', matchShare: '' },
      }),
    });
    await decidePossibleMatch(dataSource, providerPerson(req.user!), id, values.matchDecision, now);
    res.redirect(303, values.matchDecision === 'dismiss' ? paths.signalMatches : paths.signalMatch(id));
  });

  router.post(paths.signalMatchAnswer(), ...providers, async (req, res) => {
    const id = String(req.params.id);
    const now = requestTime(res);
    const values = formValues(req.body, ['matchAction', 'matchNote', 'matchShare']);
    setFormContext(res, {
      view: 'signal-matches/match',
      load: async () => ({ model: await matchModel(req.user!, id, now), values }),
    });
    const form = { action: values.matchAction, note: values.matchNote, share: values.matchShare };
    await answerMatch(dataSource, providerPerson(req.user!), id, form, now);
    res.redirect(303, `${paths.signalMatch(id)}?beantwoord=1`);
  });

  return router;
}
