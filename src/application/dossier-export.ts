import { actorOf } from '../audit/actor';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { DataSource } from 'typeorm';
import { ZipFile } from 'yazl';
import { evidenceFilename } from '../shared/file-names';
import { appendAuditEvent } from '../audit/audit.service';
import type { User } from '../identity/user.entity';
import { providerDetail } from '../register/provider.service';
import { EXCEL_CSV, safeCell } from '../shared/csv';
import { translate } from '../shared/i18n';
import { endOfLocalDay, startOfLocalDay, toLocalDate, toLocalDateTime } from '../shared/time';
import type { StatusEvent } from '../status/status-event.entity';
import { toCodeVersionFact, toStatusFact } from '../status/status-history';
import { type StatusAt, statusAt } from '../status/status-rules';
import { attestationBytes, attestationFiles, evidenceBytes, providerAuditEvents } from './dossier.queries';
import { type DossierApplication, type Person, providerDossier } from './dossier.service';

/*
 * The dossier export: one ZIP per provider and period, for an auditor to keep and check on their
 * own. Every file's SHA-256 and size is in manifest.json; the download itself is an audit event
 * carrying the manifest's hash. The PDFs are read from the database one at a time while the ZIP
 * streams out, so memory holds one file, not the whole dossier.
 */

/** A period of Dutch calendar days, both ends inclusive; an end left out is open. */
export interface DossierPeriod {
  from?: string;
  to?: string;
}

export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface DossierDownload {
  filename: string;
  manifestSha256: string;
  /** The ZIP, produced as it is read. */
  zip: Readable;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');

const personJson = (p: Person) =>
  p.erased
    ? { actor: null, name: null, role: null, erased: true }
    : { actor: p.actor, name: p.name ?? null, role: p.role ?? null };

/** A status as code and in words, the same shape whether verantwoord or not. */
function statusJson(status: StatusAt) {
  const code = status.verantwoord ? 'verantwoord' : status.reason;
  return {
    verantwoord: status.verantwoord,
    code,
    label: translate('nl', `status.label.${code}`),
    since: status.since ?? null,
    until: localDate(status.verantwoord ? undefined : status.until),
  };
}

/** A day that starts at local midnight (AAN since, a suspension's end) on the Dutch calendar: YYYY-MM-DD. */
const localDate = (d: Date | null | undefined) => (d ? toLocalDate(d) : null);

const CSV_COLUMNS = [
  'id',
  'ingang',
  'vastgelegd',
  'soort',
  'omschrijving',
  'reden',
  'door',
  'naam',
  'rol',
  'aanvraag',
  'geldig_tot',
  'gedragscode',
  'gedragscode_getekend_op',
  'aan_sinds',
  'geschorst_tot',
];

/** Builds the dossier of the provider for `period`, records the download, and answers the ZIP. */
export async function dossierExport(
  dataSource: DataSource,
  kvkNumber: string,
  period: DossierPeriod,
  actor: User,
  now: Date,
): Promise<DossierDownload> {
  const detail = await providerDetail(dataSource, kvkNumber, now, { unconfirmed: true });
  const dossier = await providerDossier(dataSource, detail);
  // Nothing after today is known yet: a period ending later ends today (the routes refuse one starting later).
  const today = toLocalDate(now);
  const lastDay = period.to && period.to < today ? period.to : today;
  const from = period.from ? startOfLocalDay(period.from) : null;
  const to = new Date(Math.min(endOfLocalDay(lastDay).getTime(), now.getTime()));
  const within = (d: Date | null | undefined) =>
    !!d && (!from || d.getTime() >= from.getTime()) && d.getTime() <= to.getTime();

  const labels = new Map(detail.codeVersions.map((v) => [v.id, v.label]));
  const events = [...detail.history].reverse().filter((e) => within(e.effectiveAt) || within(e.recordedAt));
  const eventJson = (e: StatusEvent) => ({
    id: e.id,
    kind: e.kind,
    effectiveAt: e.effectiveAt,
    recordedAt: e.recordedAt,
    decidedBy: personJson(dossier.person(e.actor)),
    reason: e.reason,
    applicationId: e.applicationId,
    validUntil: e.validUntil,
    codeOfConductVersion: e.codeOfConductVersionId ? (labels.get(e.codeOfConductVersionId) ?? null) : null,
    codeSignedOn: e.codeSignedOn,
    aanSince: localDate(e.aanSince),
    suspendedUntil: localDate(e.suspendedUntil),
  });
  const facts = detail.history.map(toStatusFact);
  const versions = detail.codeVersions.map(toCodeVersionFact);
  const provider = { kvkNumber: detail.provider.kvkNumber, legalName: detail.provider.legalName };
  const periodJson = { from: period.from ?? null, to: period.to ? lastDay : null };

  // Applications active in the period, and those the period's changes decided or act on.
  const referenced = new Set(
    dossier.changes
      .filter((c) => events.includes(c.event))
      .flatMap((c) => [c.application?.id, c.approval?.application?.id]),
  );
  const applications = dossier.applications
    .filter(
      (a) =>
        referenced.has(a.id) ||
        ((a.submittedAt ?? a.createdAt).getTime() <= to.getTime() &&
          (!from || !a.decidedAt || a.decidedAt.getTime() >= from.getTime())),
    )
    .reverse();
  const evidencePath = (a: DossierApplication, e: DossierApplication['evidence'][number]) =>
    `bewijsstukken/${a.id}/${e.id}-${evidenceFilename(e.filename)}`;
  const attestations = (await attestationFiles(dataSource, detail.provider.id)).filter(
    (a) => a.issuedAt.getTime() <= to.getTime() && (!from || a.validUntil.getTime() >= from.getTime()),
  );
  const auditEvents = await providerAuditEvents(dataSource, detail.provider.id, from, to);

  const generated: [string, Buffer][] = [
    [
      'statusgeschiedenis.json',
      json({
        provider,
        period: periodJson,
        statusAtStart: from ? statusJson(statusAt(facts, versions, from)) : null,
        statusAtEnd: statusJson(statusAt(facts, versions, to)),
        events: events.map(eventJson),
      }),
    ],
    [
      'statusgeschiedenis.csv',
      Buffer.from(
        stringify(
          [
            CSV_COLUMNS,
            ...events.map((e) => {
              const p = dossier.person(e.actor);
              return [
                e.id,
                toLocalDateTime(e.effectiveAt),
                toLocalDateTime(e.recordedAt),
                e.kind,
                translate('nl', `statusEvent.kind.${e.kind}`),
                safeCell(e.reason ?? ''),
                p.erased ? '' : safeCell(p.actor),
                p.erased ? translate('nl', 'audit.erasedUser') : safeCell(p.name ?? ''),
                p.role ? translate('nl', `roles.${p.role}`) : '',
                e.applicationId ?? '',
                e.validUntil ? toLocalDateTime(e.validUntil) : '',
                e.codeOfConductVersionId ? safeCell(labels.get(e.codeOfConductVersionId) ?? '') : '',
                e.codeSignedOn ?? '',
                localDate(e.aanSince) ?? '',
                localDate(e.suspendedUntil) ?? '',
              ];
            }),
          ],
          EXCEL_CSV,
        ),
        'utf8',
      ),
    ],
    [
      'aanvragen.json',
      json(
        applications.map((a) => ({
          id: a.id,
          kind: a.kind,
          state: a.state,
          codeOfConductVersion: a.codeOfConductVersionId
            ? (labels.get(a.codeOfConductVersionId) ?? null)
            : null,
          codeSignedOn: a.codeSignedOn,
          signatoryName: a.signatoryName,
          signatoryRole: a.signatoryRole,
          aanSince: a.aanSince,
          aanContactName: a.aanContactName,
          aanContactEmail: a.aanContactEmail,
          createdAt: a.createdAt,
          submittedAt: a.submittedAt,
          decidedAt: a.decidedAt,
          decidedBy: a.decider ? personJson(a.decider) : null,
          statusChanges: dossier.changes
            .filter((c) => c.application?.id === a.id)
            .map((c) => ({ id: c.event.id, kind: c.event.kind, effectiveAt: c.event.effectiveAt })),
          messages: a.messages.map((m) => ({
            kind: m.kind,
            at: m.createdAt,
            author: personJson(m.author),
            body: m.body,
          })),
          evidence: a.evidence.map((e) => ({
            id: e.id,
            kind: e.kind,
            filename: e.filename,
            size: e.size,
            sha256: e.sha256,
            uploadedAt: e.createdAt,
            uploadedBy: personJson(e.uploader),
            file: evidencePath(a, e),
          })),
        })),
      ),
    ],
    [
      'auditgebeurtenissen.jsonl',
      Buffer.from(
        auditEvents
          .map(
            (e) =>
              `${JSON.stringify({
                id: e.id,
                occurredAt: e.occurredAt.toISOString(),
                actor: e.actor,
                action: e.action,
                subjectType: e.subjectType,
                subjectId: e.subjectId,
                data: e.data,
                prevHash: e.prevHash,
                hash: e.hash,
              })}\n`,
          )
          .join(''),
        'utf8',
      ),
    ],
  ];

  // The stored files: their hash and size as the register recorded them; the bytes are checked
  // against that hash while they stream, and a mismatch breaks the download rather than lie.
  const stored: (ManifestEntry & { load: () => Promise<Buffer> })[] = [
    ...applications.flatMap((a) =>
      a.evidence.map((e) => ({
        path: evidencePath(a, e),
        size: e.size,
        sha256: e.sha256.trim(),
        load: () => evidenceBytes(dataSource, e.id),
      })),
    ),
    ...attestations.map((a) => ({
      path: `verklaringen/${a.number}.pdf`,
      size: Number(a.size),
      sha256: a.sha256.trim(),
      load: () => attestationBytes(dataSource, a.id),
    })),
  ];
  const files: ManifestEntry[] = [
    ...generated.map(([path, bytes]) => ({ path, size: bytes.length, sha256: sha256(bytes) })),
    ...stored.map(({ path, size, sha256: hash }) => ({ path, size, sha256: hash })),
  ];
  const manifest = json({
    provider,
    period: periodJson,
    generatedAt: now,
    generatedBy: { actor: actorOf(actor), name: actor.name, role: actor.role },
    algorithm: 'SHA-256',
    files,
  });
  const manifestSha256 = sha256(manifest);

  await dataSource.transaction((manager) =>
    appendAuditEvent(manager, now, {
      actor: actorOf(actor),
      action: 'provider.dossier_exported',
      subjectType: 'provider',
      subjectId: detail.provider.id,
      data: { kvkNumber, from: periodJson.from, to: periodJson.to, manifestSha256, files: files.length },
    }),
  );

  const zip = new ZipFile();
  const out = new PassThrough();
  zip.on('error', (error: Error) => out.destroy(error));
  zip.outputStream.pipe(out);
  const mtime = now;
  for (const [path, bytes] of generated) zip.addBuffer(bytes, path, { mtime });
  for (const file of stored) {
    zip.addReadStreamLazy(file.path, { mtime, size: file.size, compress: false }, (done) => {
      file.load().then(
        (bytes) =>
          sha256(bytes) === file.sha256
            ? done(null, Readable.from([bytes]))
            : done(new Error(`${file.path} no longer matches its recorded SHA-256`), Readable.from([])),
        (error: unknown) => done(error, Readable.from([])),
      );
    });
  }
  zip.addBuffer(manifest, 'manifest.json', { mtime });
  zip.end();
  return {
    filename: `dossier-${kvkNumber}-${period.from ?? 'begin'}-${lastDay}.zip`,
    manifestSha256,
    zip: out,
  };
}
