import { Router } from 'express';
import { stringify } from 'csv-stringify';
import { Transform } from 'node:stream';
import type { DataSource } from 'typeorm';
import { requireRole } from '../web/auth';
import type { Config } from '../config';
import { jsonLines, sendStream } from '../web/stream';
import { safeCell } from '../shared/csv';
import { paths } from '../shared/paths';
import { isPeildatum, toLocalDate } from '../shared/time';
import { formValues } from '../shared/validation';
import { pageNumber } from '../web/paging';
import {
  type AuditFilter,
  type AuditRow,
  browseAudit,
  exportRecord,
  streamAudit,
} from './audit-browser.service';
import { verifyAuditChain } from '../audit/audit.service';
import { requestTime } from '../web/clock';

const FILTER_FIELDS = ['door', 'actie', 'soort', 'onderwerp', 'van', 'tot'] as const;
const EXPORT_COLUMNS = [
  'id',
  'occurredAt',
  'actor',
  'action',
  'subjectType',
  'subjectId',
  'data',
  'prevHash',
  'hash',
];

/** The filter from the query string (Dutch names, as the page's form sends them), and the dates that are no dates. */
function readFilter(query: unknown) {
  const values = formValues(query, FILTER_FIELDS);
  for (const field of FILTER_FIELDS) values[field] = values[field].slice(0, 200);
  const errors: Record<string, string> = {};
  for (const field of ['van', 'tot'] as const) {
    if (values[field] && !isPeildatum(values[field])) errors[field] = 'validation.date';
  }
  const valid = (field: (typeof FILTER_FIELDS)[number]) =>
    values[field] && !errors[field] ? values[field] : undefined;
  const filter: AuditFilter = {
    actor: valid('door'),
    action: valid('actie'),
    subjectType: valid('soort'),
    subjectId: valid('onderwerp'),
    from: valid('van'),
    to: valid('tot'),
  };
  return { values, errors, filter };
}

/** Where one click leads from an event: the decision's application, the provider, the attestation. */
function subjectUrl(row: AuditRow): string | undefined {
  if (row.subjectType === 'application') return paths.reviewApplication(row.subjectId);
  if (row.subjectType === 'provider' && row.kvkNumber) return paths.reviewProvider(row.kvkNumber);
  const number = row.data.number;
  if (row.subjectType === 'attestation' && typeof number === 'string') return paths.verificationOf(number);
  return undefined;
}

/** The auditors' view of the audit log: browse, filter, export and verify the chain. Read only. */
export function auditRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const auditors = requireRole(config, 'auditor', 'admin');

  router.get(paths.auditLog, ...auditors, async (req, res) => {
    const { values, errors, filter } = readFilter(req.query);
    const result = await browseAudit(dataSource, filter, pageNumber(req.query.page));
    const query = (extra: Record<string, string>) =>
      new URLSearchParams({
        ...Object.fromEntries(Object.entries(values).filter(([, v]) => v)),
        ...extra,
      }).toString();
    res.status(Object.keys(errors).length ? 400 : 200).render('audit/log', {
      title: 'audit.title',
      values,
      errors,
      errorList: Object.entries(errors).map(([field, key]) => ({ field, key, anchor: `field-${field}` })),
      total: result.total,
      page: result.page,
      pageCount: result.pageCount,
      previousUrl:
        result.page > 1 ? `${paths.auditLog}?${query({ page: String(result.page - 1) })}` : undefined,
      nextUrl:
        result.page < result.pageCount
          ? `${paths.auditLog}?${query({ page: String(result.page + 1) })}`
          : undefined,
      csvUrl: `${paths.auditLogCsv}?${query({})}`,
      jsonlUrl: `${paths.auditLogJsonl}?${query({})}`,
      rows: result.rows.map((row) => ({
        ...row,
        url: subjectUrl(row),
        dataText: JSON.stringify(row.data).slice(0, 300),
      })),
    });
  });

  const attachment = (extension: string, now: Date) =>
    `attachment; filename="auditlog-${toLocalDate(now)}.${extension}"`;

  router.get(paths.auditLogCsv, ...auditors, async (req, res) => {
    const { filter } = readFilter(req.query);
    res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', attachment('csv', requestTime(res)));
    const cells = new Transform({
      objectMode: true,
      transform(row: AuditRow, _encoding, done) {
        const r = exportRecord(row);
        done(null, [
          r.id,
          r.occurredAt,
          safeCell(r.actor),
          r.action,
          r.subjectType,
          safeCell(r.subjectId),
          JSON.stringify(r.data),
          r.prevHash,
          r.hash,
        ]);
      },
    });
    await sendStream(req, res, await streamAudit(dataSource, filter), [
      cells,
      stringify({ header: true, columns: EXPORT_COLUMNS, record_delimiter: 'windows' }),
    ]);
  });

  router.get(paths.auditLogJsonl, ...auditors, async (req, res) => {
    const { filter } = readFilter(req.query);
    res
      .type('application/jsonl; charset=utf-8')
      .setHeader('Content-Disposition', attachment('jsonl', requestTime(res)));
    const records = new Transform({
      objectMode: true,
      transform(row: AuditRow, _encoding, done) {
        done(null, exportRecord(row));
      },
    });
    await sendStream(req, res, await streamAudit(dataSource, filter), [records, jsonLines()]);
  });

  router.get(paths.auditVerify, ...auditors, async (_req, res) => {
    const result = await verifyAuditChain(dataSource);
    res.render('audit/verify', {
      title: 'audit.verifyTitle',
      checked: result.checked,
      broken: result.broken,
    });
  });

  return router;
}
