import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { paths } from '../shared/paths';
import { NotFoundError } from '../shared/errors';
import { readKvkNumber } from '../shared/identifiers';
import { isPeildatum, toLocalDate } from '../shared/time';
import { formValues, repeatedFields } from '../shared/validation';
import { pageNumber } from '../web/paging';
import { type DateAnswer, providerDetail, statusOnDate } from './provider.service';
import { causeReason, historyRows, snapshotView, statusView } from './provider.view';
import { searchProviders, type Sort, SORTS, STATUS_FILTERS } from './search.service';
import { requestTime } from '../web/clock';

function dateAnswerView(answer: DateAnswer) {
  if (answer.kind === 'future') return answer;
  return { ...answer, view: statusView(answer.status) };
}

/** The longest query read; a longer one (a long pasted list) is cut off, and the page says so. */
const MAX_QUERY = 200;

/** The public register: open to everyone, no login. */
export function providerRoutes(
  dataSource: DataSource,
  options: { searchCacheSeconds?: number } = {},
): Router {
  const router = Router();

  router.get(paths.register, async (req, res) => {
    const typed = typeof req.query.q === 'string' ? req.query.q : '';
    const q = typed.slice(0, MAX_QUERY);
    const status =
      typeof req.query.status === 'string' && (STATUS_FILTERS as readonly string[]).includes(req.query.status)
        ? req.query.status
        : '';
    const sort: Sort =
      typeof req.query.sort === 'string' && (SORTS as readonly string[]).includes(req.query.sort)
        ? (req.query.sort as Sort)
        : q
          ? 'relevance'
          : 'name';
    const result = await searchProviders(
      dataSource,
      { q, status, sort, page: pageNumber(req.query.page), cacheSeconds: options.searchCacheSeconds },
      requestTime(res),
    );
    // Every search is a shareable URL: the page links keep the query.
    const pageUrl = (page: number) => {
      const params = new URLSearchParams({
        ...(q ? { q } : {}),
        ...(status ? { status } : {}),
        sort,
        page: String(page),
      });
      return `${paths.register}?${params.toString()}`;
    };
    const { reading } = result;
    const quoted = (words: string[]) => words.map((word) => `‘${word}’`).join(', ');
    // KvK numbers, one beside words or several: what was read, and the list check for longer lists.
    const numbers =
      reading.kind === 'kvkList' ? reading.kvkNumbers : reading.kind === 'kvk' ? [reading.kvkNumber] : [];
    const besideNumbers = reading.kind === 'kvk' || reading.kind === 'kvkList' ? (reading.words ?? []) : [];
    res.render('provider/register', {
      title: 'register.title',
      values: { q, status, sort },
      reading,
      ignoredWords: 'ignored' in reading ? quoted(reading.ignored) : '',
      readNumbers: numbers.join(', '),
      numberCount: numbers.length,
      wordsBesideNumbers: quoted(besideNumbers),
      // A list cut off at the query's length: the list check reads every number.
      listCut: reading.kind === 'kvkList' && typed.length > MAX_QUERY,
      // Nothing found for a name with its number: the same search on the words alone.
      wordsUrl: besideNumbers.length
        ? `${paths.register}?${new URLSearchParams({ q: besideNumbers.join(' ') }).toString()}`
        : undefined,
      // Nothing found with a status filter: the same search over all statuses.
      filteredUrl:
        status && q ? `${paths.register}?${new URLSearchParams({ q, sort }).toString()}` : undefined,
      // Nothing found for a question is not an empty register: the page says which it is.
      searched: !!(q || status),
      statusOptions: STATUS_FILTERS.map((value) => ({ value, labelKey: `status.filter.${value}` })),
      sortOptions: SORTS.map((value) => ({ value, labelKey: `register.sort.${value}` })),
      total: result.total,
      more: result.more,
      // Many statuses wait for the background refresh: the page says the count may be behind.
      behind: result.behind,
      page: result.page,
      pageCount: result.pageCount,
      previousUrl: result.page > 1 ? pageUrl(result.page - 1) : undefined,
      nextUrl: result.page < result.pageCount ? pageUrl(result.page + 1) : undefined,
      rows: result.rows.map((row) => ({
        provider: row,
        url: paths.provider(row.kvkNumber),
        status: snapshotView(row.status),
      })),
    });
  });

  router.get(paths.check, async (req, res) => {
    const values = formValues(req.query, ['kvkNummer', 'peildatum']);
    const model: Record<string, unknown> = { title: 'check.title', values };
    if (values.kvkNummer || values.peildatum) {
      const now = requestTime(res);
      const errors: Record<string, string> = {};
      // The same reading as the bulk check and the API: spaces, dots, "KvK", a lost leading zero.
      const reading = readKvkNumber(values.kvkNummer);
      if (reading.kind === 'invalid') errors.kvkNummer = 'validation.kvkNumber';
      if (repeatedFields(req.query, ['peildatum']).length) errors.peildatum = 'validation.repeatedDate';
      else if (values.peildatum !== '' && !isPeildatum(values.peildatum))
        errors.peildatum = 'validation.date';
      if (reading.kind === 'invalid' || Object.keys(errors).length > 0) {
        return res.status(400).render('provider/check', {
          ...model,
          errors,
          errorList: Object.entries(errors).map(([field, key]) => ({
            field,
            key,
            anchor: `field-${field}`,
          })),
        });
      }
      // Without a date the question is "is it verantwoord today?".
      const peildatum = values.peildatum || toLocalDate(now);
      model.values = { ...values, peildatum };
      const detail = await providerDetail(dataSource, reading.kvkNumber, now).catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      });
      model.unknownKvk = !detail;
      model.kvkNumber = reading.kvkNumber;
      if (reading.kind === 'leadingZeroLost') model.leadingZero = detail ? 'restored' : 'suggested';
      if (detail) {
        model.provider = detail.provider;
        model.answer = dateAnswerView(statusOnDate(detail, peildatum, now));
      }
    }
    res.render('provider/check', model);
  });

  router.get(`${paths.register}/:kvkNumber`, async (req, res) => {
    const now = requestTime(res);
    const detail = await providerDetail(dataSource, req.params.kvkNumber, now);
    const [repeated] = repeatedFields(req.query, ['peildatum']);
    const peildatum = formValues(req.query, ['peildatum']).peildatum.slice(0, 20);
    const dateAnswer =
      peildatum && isPeildatum(peildatum) ? dateAnswerView(statusOnDate(detail, peildatum, now)) : undefined;
    const errors: Record<string, string> = repeated
      ? { peildatum: 'validation.repeatedDate' }
      : peildatum && !dateAnswer
        ? { peildatum: 'validation.date' }
        : {};
    // A date that is no date, or two dates, answers 400 with the message next to the field.
    res.status(Object.keys(errors).length ? 400 : 200).render('provider/provider', {
      title: detail.provider.legalName,
      titleIsText: true,
      provider: detail.provider,
      status: statusView(detail.status, causeReason(detail), detail.aanEndsAt),
      history: historyRows(detail.history, detail.codeVersions, now),
      registerUrl: paths.register,
      // Staff go on from here to the provider's dossier: every decision with who took it and why.
      staffUrl: res.locals.isStaff === true ? paths.reviewProvider(detail.provider.kvkNumber) : undefined,
      values: { peildatum },
      dateAnswer,
      errors,
    });
  });

  return router;
}
