import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { withCsrfToken } from '../web/auth';
import type { Config } from '../config';
import { setFormContext } from '../web/error-handler';
import { offerFormResubmitInLanguage } from '../web/form-language';
import { ValidationError } from '../shared/errors';
import type { Language } from '../shared/i18n';
import { paths } from '../shared/paths';
import { columnLetter } from '../shared/spreadsheet';
import { isPeildatum, startOfLocalDay, toLocalDate } from '../shared/time';
import { readUpload } from '../web/upload';
import { formValues } from '../shared/validation';
import { bulkCheck, type BulkResultRow, needsAttention } from './bulk-check.service';
import {
  answerCsv,
  answerXlsx,
  checkRows,
  columnChoices,
  listUpload,
  packSource,
  unpackSource,
  readSupplierList,
  rowNote,
} from './bulk-list';
import { requestTime } from '../web/clock';
import { BULK_RETRY_SECONDS, takeBulkCheckSlot } from '../web/client-limits';

const BULK_UPLOAD = listUpload(12);

/** Rows per page of the answer: 10,000 rows would make a page of megabytes, the download has them all. */
export const BULK_PAGE_SIZE = 500;

const FIELDS = [
  'nummers',
  'peildatum',
  'formaat',
  'kolom',
  'weergave',
  'pagina',
  'bron',
  'bronNaam',
] as const;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// The uploaded list is kept in the page as a hidden field (`packSource`) so that the download
// buttons, the column choice and the pages of the answer work without choosing the file again. It
// is the person's own list, sent back to them: nothing is kept on the server.

/** Bulk check of a supplier list: paste or upload up to 10,000 rows, answered at once. */
export function checkRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const providerUrl = (kvk: string) => `${config.publicBaseUrl}${paths.provider(kvk)}`;

  router.get(paths.bulkCheck, withCsrfToken, (_req, res) => {
    res.render('check/bulk', { title: 'bulk.title', values: { peildatum: toLocalDate(requestTime(res)) } });
  });

  router.post(paths.bulkCheck, withCsrfToken, async (req, res) => {
    setFormContext(res, { view: 'check/bulk', model: { title: 'bulk.title' }, values: {} });
    const file = await readUpload(req, BULK_UPLOAD);
    const values: Record<(typeof FIELDS)[number], string> = formValues(req.body, FIELDS);
    // Which list: a newly chosen file, else pasted text, else the file chosen before.
    let input: { bytes: Buffer } | { text: string } | undefined;
    if (file?.buffer && file.size > 0) {
      input = { bytes: file.buffer };
      values.bron = packSource(file.buffer);
      values.bronNaam = file.originalName.slice(0, 200);
    } else if (values.nummers !== '') {
      input = { text: values.nummers };
      values.bron = '';
      values.bronNaam = '';
    } else if (values.bron !== '') input = { bytes: unpackSource(values.bron) };
    if (values.peildatum === '') values.peildatum = toLocalDate(requestTime(res));
    setFormContext(res, { view: 'check/bulk', model: { title: 'bulk.title' }, values });
    if (!isPeildatum(values.peildatum)) throw new ValidationError({ peildatum: ['validation.date'] });
    // As /controleren and the API: what holds on a day to come is not known yet.
    if (startOfLocalDay(values.peildatum).getTime() > requestTime(res).getTime())
      throw new ValidationError({ peildatum: ['bulk.futureDate'] });
    if (!input) throw new ValidationError({ nummers: ['bulk.empty'] });
    // At most a few checks at once per client, the API's included, across instances (client-limits.ts):
    // one more shows the form again with what was sent, and when to try again.
    if (!(await takeBulkCheckSlot(dataSource, config, req, res))) {
      return res
        .status(429)
        .set('Retry-After', String(BULK_RETRY_SECONDS))
        .render('check/bulk', {
          title: 'bulk.title',
          values,
          busy: { count: config.bulkChecksPerClient, seconds: BULK_RETRY_SECONDS },
        });
    }
    const list = await readSupplierList(input, {
      column: values.kolom,
      field: 'text' in input ? 'nummers' : 'bestand',
    });
    if (list.kvkColumn === undefined) {
      offerFormResubmitInLanguage(req, res, 'bulk-form', { name: 'formaat', value: 'html' });
      return res.render('check/bulk', {
        title: 'bulk.title',
        values,
        choices: columnChoices(list.table, list.candidates ?? []),
      });
    }
    const kvkColumn = list.kvkColumn;
    const result = await bulkCheck(
      dataSource,
      checkRows({ ...list, kvkColumn }),
      values.peildatum,
      requestTime(res),
    );
    const language = (res.locals.lang ?? 'nl') as Language;
    if (values.formaat === 'csv') {
      res
        .type('text/csv; charset=utf-8')
        .attachment(`controle-${values.peildatum}.csv`)
        .send(answerCsv(list.table, result, language, providerUrl));
      return;
    }
    if (values.formaat === 'xlsx') {
      res
        .type(XLSX_TYPE)
        .attachment(`controle-${values.peildatum}.xlsx`)
        .send(await answerXlsx(list.table, result, language, providerUrl));
      return;
    }
    const onlyAttention = values.weergave === 'aandacht';
    const shown = onlyAttention ? result.rows.filter(needsAttention) : result.rows;
    const pageCount = Math.max(1, Math.ceil(shown.length / BULK_PAGE_SIZE));
    const page = Math.min(pageCount, Math.max(1, Number.parseInt(values.pagina, 10) || 1));
    const cellsByLine = new Map(list.table.rows.map((r) => [r.number, r.cells]));
    const rowView = (row: BulkResultRow) => ({
      ...row,
      url: row.legalName && row.kvkNumber ? paths.provider(row.kvkNumber) : undefined,
      // The rest of the person's row, so that they recognise it: at most three cells.
      ownCells: (cellsByLine.get(row.line) ?? [])
        .filter((cell, index) => index !== kvkColumn && cell !== '')
        .slice(0, 3)
        .join(' · ')
        .slice(0, 200),
      note: rowNote(row, language),
    });
    const shownValues = { ...values, weergave: onlyAttention ? 'aandacht' : 'alles', pagina: String(page) };
    // The language switch sends the form again (the kept copy, or the pasted text): the same result, in the other language.
    offerFormResubmitInLanguage(req, res, 'bulk-form', { name: 'pagina', value: String(page) });
    res.render('check/bulk', {
      title: 'bulk.title',
      values: shownValues,
      result,
      kvkColumn: {
        letter: columnLetter(kvkColumn),
        header: list.table.header?.cells[kvkColumn],
        sheet: list.table.sheetName,
        // A header below a title: the rows above it were not checked, which the page says.
        headerBelow: list.table.above?.length ? list.table.header?.number : undefined,
      },
      // Not one value of the column reads as a KvK number: most likely the wrong column.
      wrongColumn: result.rows.every((r) => r.outcome === 'ongeldig' && r.leadingZero === undefined),
      attentionCount: result.rows.length - result.counts.verantwoord,
      shownCount: shown.length,
      rows: shown.slice((page - 1) * BULK_PAGE_SIZE, page * BULK_PAGE_SIZE).map(rowView),
      page,
      pageCount,
      // A signed-in buyer may watch the list's suppliers (issue 18): every number read, each once.
      watchNumbers:
        req.user?.role === 'buyer'
          ? [
              ...new Set(
                result.rows.flatMap((r) =>
                  r.kvkNumber && r.leadingZero !== 'suggested' ? [r.kvkNumber] : [],
                ),
              ),
            ].join(' ')
          : undefined,
      previousPage: page > 1 ? page - 1 : undefined,
      nextPage: page < pageCount ? page + 1 : undefined,
    });
  });

  return router;
}
