import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { withCsrfToken } from '../web/auth';
import type { Config } from '../config';
import { setFormContext } from '../web/error-handler';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { isPeildatum, toLocalDate } from '../shared/time';
import { readUpload } from '../web/upload';
import { formValues } from '../shared/validation';
import { lineWithForbiddenCharacters } from '../shared/forbidden-characters';
import { bulkCheck, bulkResultCsv, parseBulkInput } from './bulk-check.service';
import { requestTime } from '../web/clock';
import { bulkCheckSlot } from '../web/client-limits';

const BULK_UPLOAD = {
  field: 'bestand',
  maxBytes: 2 * 1024 * 1024,
  tooLargeKey: 'bulk.fileTooLarge',
  keep: 'buffer',
  fieldSize: 2 * 1024 * 1024,
} as const;

/** Bulk check of a supplier list: paste or upload up to 10,000 KvK numbers, answered at once. */
export function checkRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();

  router.get(paths.bulkCheck, withCsrfToken, (_req, res) => {
    res.render('check/bulk', { title: 'bulk.title', values: { peildatum: toLocalDate(requestTime(res)) } });
  });

  // At most a few checks at once per client, across instances (429 beyond; client-limits.ts).
  router.post(paths.bulkCheck, withCsrfToken, bulkCheckSlot(dataSource, config), async (req, res) => {
    setFormContext(res, { view: 'check/bulk', model: { title: 'bulk.title' }, values: {} });
    const file = await readUpload(req, BULK_UPLOAD);
    const values = formValues(req.body, ['nummers', 'peildatum', 'formaat']);
    setFormContext(res, { view: 'check/bulk', model: { title: 'bulk.title' }, values });
    if (!isPeildatum(values.peildatum)) throw new ValidationError({ peildatum: ['validation.date'] });
    const text = file?.buffer ? file.buffer.toString('utf8') : values.nummers;
    const badLine = lineWithForbiddenCharacters(text);
    if (badLine)
      throw new ValidationError({ bestand: ['validation.controlCharactersInFile'] }, undefined, {
        line: badLine,
      });
    const rows = parseBulkInput(text);
    if (rows.length === 0) throw new ValidationError({ nummers: ['bulk.empty'] });
    const result = await bulkCheck(dataSource, rows, values.peildatum, requestTime(res));
    if (values.formaat === 'csv') {
      res
        .type('text/csv; charset=utf-8')
        .attachment(`controle-${values.peildatum}.csv`)
        .send(bulkResultCsv(result, config.publicBaseUrl));
      return;
    }
    res.render('check/bulk', {
      title: 'bulk.title',
      values: { ...values, nummers: file ? '' : values.nummers },
      result,
      rows: result.rows.map((r) => ({ ...r, url: r.legalName ? paths.provider(r.kvkNumber) : undefined })),
    });
  });

  return router;
}
