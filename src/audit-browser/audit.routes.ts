import { actorOf } from '../audit/actor';
import { type Request, Router, type Response } from 'express';
import { stringify } from 'csv-stringify';
import { Transform } from 'node:stream';
import type { DataSource } from 'typeorm';
import { refuseCrossSiteRead, requireRole } from '../web/auth';
import type { Config } from '../config';
import { jsonLines, sendStream } from '../web/stream';
import { EXCEL_CSV, safeCell } from '../shared/csv';
import { paths } from '../shared/paths';
import { type Language, translate } from '../shared/i18n';
import { toLocalDate, toLocalDateTime } from '../shared/time';
import { actionLabelKey, isKnownAction } from './audit-actions';
import { pageNumber } from '../web/paging';
import {
  type AuditRow,
  browseAudit,
  checkAuditChain,
  exportRecord,
  recordAuditExport,
  streamAudit,
  withProvider,
} from './audit-browser.service';
import {
  actionOptions,
  actorCell,
  auditRowView,
  errorList,
  readFilter,
  subjectTypeOptions,
} from './audit.view';
import { requestTime } from '../web/clock';
import type { LogSigner } from '../transparency/checkpoint.service';

/** The CSV's columns (for people, in Excel): headed in the page's language (`audit.csvColumns.*`). */
const CSV_COLUMNS = [
  'id',
  'occurredAt',
  'actor',
  'actorName',
  'action',
  'actionWords',
  'subjectType',
  'subjectId',
  'data',
  'prevHash',
  'hash',
  'personalCheck',
] as const;

/** The auditors' view of the audit log: browse, filter, export and verify the chain. Read only, but seen: exports and checks are events. */
export function auditRoutes(dataSource: DataSource, config: Config, signer: LogSigner): Router {
  const router = Router();
  const auditors = requireRole(config, 'auditor', 'admin');

  /** The page with the filter form; with `results`, the events found under it. */
  function renderLog(
    res: Response,
    form: ReturnType<typeof readFilter>,
    results?: Awaited<ReturnType<typeof browseAudit>> & { providerFound: boolean },
  ) {
    const { values, errors } = form;
    const query = (extra: Record<string, string>) =>
      new URLSearchParams({
        ...Object.fromEntries(Object.entries(values).filter(([, v]) => v)),
        ...extra,
      }).toString();
    const pageUrl = (page: number) => `${paths.auditLog}?${query({ page: String(page) })}`;
    res.status(results ? 200 : 400).render('audit/log', {
      title: 'audit.title',
      values,
      errors,
      errorList: errorList(errors),
      actionOptions: actionOptions(values.actie),
      subjectTypeOptions: subjectTypeOptions(values.soort),
      results: results && {
        total: results.total,
        providerFound: results.providerFound,
        csvUrl: `${paths.auditLogCsv}?${query({})}`,
        jsonlUrl: `${paths.auditLogJsonl}?${query({})}`,
        rows: results.rows.map((row) => auditRowView(row, results.names, results.personal, results.erased)),
      },
      page: results?.page ?? 1,
      pageCount: results?.pageCount ?? 1,
      previousUrl: results && results.page > 1 ? pageUrl(results.page - 1) : undefined,
      nextUrl: results && results.page < results.pageCount ? pageUrl(results.page + 1) : undefined,
    });
  }

  router.get(paths.auditLog, ...auditors, async (req, res) => {
    const form = readFilter(req.query);
    // A filter with a mistake finds nothing: showing the whole log instead would look like an answer.
    if (Object.keys(form.errors).length) return renderLog(res, form);
    const { filter, providerFound } = await withProvider(dataSource, form.filter, form.kvkNumber);
    renderLog(res, form, {
      ...(await browseAudit(dataSource, filter, pageNumber(req.query.page))),
      providerFound,
    });
  });

  const attachment = (extension: string, now: Date) =>
    `attachment; filename="auditlog-${toLocalDate(now)}.${extension}"`;

  /**
   * The events an export gives, after recording who exported what; an export with a mistake in its
   * filter is the page with the mistake, not a file.
   */
  async function exportFor(format: 'csv' | 'jsonl', req: Request, res: Response) {
    const form = readFilter(req.query);
    if (Object.keys(form.errors).length) {
      renderLog(res, form);
      return undefined;
    }
    const { filter, providerId } = await withProvider(dataSource, form.filter, form.kvkNumber);
    const given = Object.fromEntries(Object.entries(form.values).filter(([, v]) => v));
    await recordAuditExport(
      dataSource,
      { actor: actorOf(req.user!), format, filter: given, providerId },
      requestTime(res),
    );
    res.setHeader('Content-Disposition', attachment(format, requestTime(res)));
    return streamAudit(dataSource, filter);
  }

  // The CSV is for reading: Amsterdam time with its offset and the action in words as well. The
  // JSON Lines is for verifying: every event exactly as stored and hashed.
  router.get(paths.auditLogCsv, refuseCrossSiteRead(config), ...auditors, async (req, res) => {
    const events = await exportFor('csv', req, res);
    if (!events) return;
    const lang = res.locals.lang as Language;
    res.type('text/csv; charset=utf-8');
    const actorWords = (row: AuditRow) => {
      const cell = actorCell(row);
      if (cell.key) return translate(lang, cell.key);
      return cell.name && cell.roleKey ? `${cell.name} (${translate(lang, cell.roleKey)})` : '';
    };
    const cells = new Transform({
      objectMode: true,
      transform(row: AuditRow, _encoding, done) {
        const r = exportRecord(row);
        done(null, [
          r.id,
          toLocalDateTime(row.occurredAt),
          safeCell(r.actor),
          safeCell(actorWords(row)),
          r.action,
          isKnownAction(r.action) ? translate(lang, actionLabelKey(r.action)) : '',
          r.subjectType,
          safeCell(r.subjectId),
          safeCell(JSON.stringify(r.data)),
          r.prevHash,
          r.hash,
          r.personalCheck ? translate(lang, `audit.personalData.${r.personalCheck}`) : '',
        ]);
      },
    });
    await sendStream(req, res, events, [
      cells,
      stringify({
        header: true,
        columns: CSV_COLUMNS.map((column) => translate(lang, `audit.csvColumns.${column}`)),
        ...EXCEL_CSV,
      }),
    ]);
  });

  router.get(paths.auditLogJsonl, refuseCrossSiteRead(config), ...auditors, async (req, res) => {
    const events = await exportFor('jsonl', req, res);
    if (!events) return;
    res.type('application/jsonl; charset=utf-8');
    const records = new Transform({
      objectMode: true,
      transform(row: AuditRow, _encoding, done) {
        done(null, exportRecord(row));
      },
    });
    await sendStream(req, res, events, [records, jsonLines()]);
  });

  router.get(paths.auditVerify, refuseCrossSiteRead(config), ...auditors, async (req, res) => {
    const result = await checkAuditChain(dataSource, actorOf(req.user!), requestTime(res), signer);
    res.render('audit/verify', {
      title: 'audit.verifyTitle',
      checked: result.checked,
      broken: result.broken,
      memoryUnreadable: result.memoryUnreadable,
      head: result.head,
      checkpoint: result.checkpoint,
      counts: result.counts,
      // A live table disagreeing with the log: which row, and how many disagree in all.
      register: result.broken?.register && {
        row: result.broken.register.row ?? '?',
        others: result.broken.register.count - 1,
      },
      milliseconds: result.milliseconds,
    });
  });

  return router;
}
