import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { ApplicationMessage } from '../application/application-message.entity';
import { Application } from '../application/application.entity';
import { Evidence } from '../application/evidence.entity';
import { allowLongWork } from '../database/limits';
import { appendAuditEvents } from '../audit/audit.service';
import { addUser } from '../identity/account.service';
import { hashPassword } from '../identity/password';
import { User } from '../identity/user.entity';
import { Provider } from '../provider/provider.entity';
import { addMonths } from '../shared/time';
import { publishCodeOfConductVersion } from '../status/code-of-conduct.service';
import { StatusEvent } from '../status/status-event.entity';
import { loadCodeVersions } from '../status/status-history';
import { refreshStatusSnapshots } from '../status/status-snapshot.service';
import { type BulkCast, type BulkRows, emptyRows, planBulkProvider } from './bulk-history';
import { analyzeRegisterTables, highestKvkNumberIn } from './seed.queries';

export const BULK_ACTOR = 'seed:bulk';
const BATCH = 1000;

/** A small deterministic generator, so a benchmark database looks the same every time. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

const WORDS = [
  'Polder',
  'Dijk',
  'Molen',
  'Tulp',
  'Gracht',
  'Delta',
  'Duin',
  'Wad',
  'Kaas',
  'Klomp',
  'Fiets',
  'Haven',
  'Brug',
  'Sluis',
  'Veen',
  'Heide',
];
const KINDS = ['Hosting', 'Cloud', 'Datacenters', 'Servers', 'Web', 'Colocatie', 'Netwerken'];
const CITIES = [
  'Amsterdam',
  'Rotterdam',
  'Utrecht',
  'Den Haag',
  'Eindhoven',
  'Groningen',
  'Zwolle',
  'Arnhem',
  'Leeuwarden',
  'Middelburg',
];

/**
 * Bulk KvK numbers run from 80000000 up to just below the demo's 9999xxxx, so the two never
 * meet, and a number never grows past 8 digits.
 */
export const BULK_KVK_FIRST = 80_000_000;
export const BULK_KVK_LAST = 99_989_999;

/** The most providers one `seed:bulk` loads. */
export const BULK_MAX = 1_000_000;

/**
 * The number of providers `seed:bulk --providers N` asks for, or undefined when N is not a whole
 * number from 1 to BULK_MAX written in digits only (Number() would also read 1e3, 0x10, 10.0 and " 5").
 */
export function bulkCount(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^[0-9]{1,7}$/.test(raw)) return undefined;
  const count = Number(raw);
  return count >= 1 && count <= BULK_MAX ? count : undefined;
}

/** Thrown when the bulk range has fewer free numbers left than were asked for. */
export class BulkRangeFullError extends Error {
  constructor(
    readonly asked: number,
    readonly room: number,
  ) {
    super(
      `Cannot add ${asked.toLocaleString('en')} providers: bulk KvK numbers run from ${BULK_KVK_FIRST} to ${BULK_KVK_LAST} ` +
        `(the demo's start with 9999), and only ${room.toLocaleString('en')} are left above the highest one taken.`,
    );
  }
}

/** The bulk reviewers, made once (before any history) and found again on a later run. */
const BULK_REVIEWERS = [
  { email: 'beoordelaar-1@bulk.example', name: 'Bulk Beoordelaar 1' },
  { email: 'beoordelaar-2@bulk.example', name: 'Bulk Beoordelaar 2' },
];

async function bulkCast(dataSource: DataSource, now: Date): Promise<Omit<BulkCast, 'random'>> {
  // Nobody signs in as a bulk user: the password is random and forgotten at once.
  const passwordHash = await hashPassword(randomBytes(24).toString('base64url'));
  const start = addMonths(now, -61);
  return dataSource.transaction(async (manager) => {
    let versions = await loadCodeVersions(manager);
    if (versions.length === 0) {
      // A register without versions gets one, published five years ago, at that moment.
      const publishedAt = addMonths(now, -60);
      const input = { label: 'bulk-1.0', title: 'Gedragscode Abusebestrijding (benchmark)', publishedAt };
      await publishCodeOfConductVersion(
        manager,
        { ...input, transitionEndsAt: publishedAt },
        BULK_ACTOR,
        publishedAt,
      );
      versions = await loadCodeVersions(manager);
    }
    const reviewers: User[] = [];
    for (const staff of BULK_REVIEWERS) {
      reviewers.push(
        (await manager.findOneBy(User, { email: staff.email })) ??
          (await addUser(
            manager,
            { ...staff, role: 'reviewer', providerId: null, passwordHash, emailVerifiedAt: start },
            BULK_ACTOR,
            start,
          )),
      );
    }
    return { reviewers, versions, passwordHash, now };
  });
}

/** Writes one batch of planned rows, with their audit events in the order they happened. */
async function writeRows(manager: EntityManager, rows: BulkRows, now: Date): Promise<void> {
  // A thousand providers with their histories and audit events: the long limit, not a request's.
  await allowLongWork(manager);
  const chunks = <T>(list: T[], size = 1000) =>
    Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
  for (const chunk of chunks(rows.providers)) await manager.insert(Provider, chunk);
  for (const chunk of chunks(rows.users)) await manager.insert(User, chunk);
  for (const chunk of chunks(rows.applications)) await manager.insert(Application, chunk);
  for (const chunk of chunks(rows.evidence, 500)) await manager.insert(Evidence, chunk);
  for (const chunk of chunks(rows.messages)) await manager.insert(ApplicationMessage, chunk);
  const events = rows.events.map((e) => manager.create(StatusEvent, e.event));
  for (const chunk of chunks(events)) await manager.insert(StatusEvent, chunk);
  const audit = [
    ...rows.audit,
    ...rows.events.map((e, i) => ({
      ...e.audit,
      data: {
        statusEventId: events[i]!.id,
        applicationId: e.event.applicationId,
        effectiveAt: e.event.effectiveAt,
        reason: e.event.reason,
        validUntil: e.event.validUntil,
        codeOfConductVersionId: e.event.codeOfConductVersionId,
        codeSignedOn: e.event.codeSignedOn,
        aanSince: e.event.aanSince,
        suspendedUntil: e.event.suspendedUntil,
      },
    })),
  ].sort((a, b) => a.occurredAt!.getTime() - b.occurredAt!.getTime());
  await appendAuditEvents(manager, now, audit);
  await refreshStatusSnapshots(
    manager,
    rows.providers.map((p) => p.id),
    now,
  );
}

/**
 * Loads `count` fictional providers with realistic histories (most verantwoord, some suspended,
 * revoked, expired, pending or never listed), in transactions of 1,000. Their KvK numbers follow
 * the highest one taken in the bulk range; a count that does not fit there is refused whole.
 */
export async function seedBulk(
  dataSource: DataSource,
  count: number,
  now: Date,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<number> {
  const max = await highestKvkNumberIn(dataSource, BULK_KVK_FIRST, BULK_KVK_LAST);
  if (count > BULK_KVK_LAST - max) throw new BulkRangeFullError(count, BULK_KVK_LAST - max);
  const next = random(20261126);
  const pick = (list: readonly string[]): string => list[Math.floor(next() * list.length)] ?? '';
  const cast: BulkCast = { ...(await bulkCast(dataSource, now)), random: next };
  let done = 0;
  while (done < count) {
    const size = Math.min(BATCH, count - done);
    const rows = emptyRows();
    for (let i = 0; i < size; i++) {
      const kvkNumber = String(max + done + i + 1);
      const name = `${pick(WORDS)}${pick(WORDS).toLowerCase()} ${pick(KINDS)} ${kvkNumber.slice(-4)} B.V.`;
      const [firstWord = ''] = name.split(' ');
      const domain = `${firstWord.toLowerCase()}-${kvkNumber}.example`;
      planBulkProvider(
        rows,
        {
          kvkNumber,
          legalName: name,
          tradeNames: next() < 0.5 ? [firstWord] : [],
          streetAddress: `Benchmarkweg ${1 + Math.floor(next() * 200)}`,
          postcode: `${1000 + Math.floor(next() * 8999)} AB`,
          city: pick(CITIES),
          website: `https://www.${domain}`,
          abuseEmail: `abuse@${domain}`,
        },
        cast,
      );
    }
    await dataSource.transaction((manager) => writeRows(manager, rows, now));
    done += size;
    onProgress(done, count);
  }
  // Fresh statistics, so that the planner knows the register's new size at once.
  await analyzeRegisterTables(dataSource);
  return done;
}
