import type { DataSource } from 'typeorm';
import { appendAuditEvents, type AuditEntry } from '../audit/audit.service';
import { Provider } from '../provider/provider.entity';
import { addDays, addMonths, toLocalDate } from '../shared/time';
import { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import { StatusEvent } from '../status/status-event.entity';
import { refreshStatusSnapshots } from '../status/status-snapshot.service';
import type { StatusEventKind } from '../status/status-rules';
import { analyzeRegisterTables, highestBulkKvkNumber } from './seed.queries';

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
 * Loads `count` fictional providers with realistic histories (most verantwoord, some expired,
 * suspended, revoked, pending or never listed), with their audit events, in transactions of 1,000.
 * KvK numbers start at 80000000 so they never meet the demo numbers.
 */
export async function seedBulk(
  dataSource: DataSource,
  count: number,
  now: Date,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<number> {
  const next = random(20261126);
  const pick = (list: readonly string[]): string => list[Math.floor(next() * list.length)] ?? '';
  let version = await dataSource
    .getRepository(CodeOfConductVersion)
    .findOne({ where: {}, order: { publishedAt: 'DESC' } });
  if (!version) {
    version = await dataSource.getRepository(CodeOfConductVersion).save({
      label: 'bulk-1.0',
      title: 'Gedragscode Abusebestrijding (benchmark)',
      publishedAt: addMonths(now, -60),
      transitionEndsAt: addMonths(now, -60),
    });
  }
  const max = await highestBulkKvkNumber(dataSource);
  let done = 0;
  while (done < count) {
    const size = Math.min(BATCH, count - done);
    await dataSource.transaction(async (manager) => {
      const providers = Array.from({ length: size }, (_, i) => {
        const kvk = String(max + done + i + 1);
        const name = `${pick(WORDS)}${pick(WORDS).toLowerCase()} ${pick(KINDS)} ${kvk.slice(-4)} B.V.`;
        const [firstWord = ''] = name.split(' ');
        const domain = firstWord.toLowerCase();
        return manager.create(Provider, {
          kvkNumber: kvk,
          legalName: name,
          tradeNames: next() < 0.5 ? [firstWord] : [],
          streetAddress: `Benchmarkweg ${1 + Math.floor(next() * 200)}`,
          postcode: `${1000 + Math.floor(next() * 8999)} AB`,
          city: pick(CITIES),
          website: `https://www.${domain}-${kvk}.example`,
          abuseEmail: `abuse@${domain}-${kvk}.example`,
          asNumbers: [],
          // Benchmark providers stand for a public register: all confirmed.
          identityConfirmedAt: now,
          identityConfirmedBy: BULK_ACTOR,
        });
      });
      await manager.insert(Provider, providers);
      const events: Partial<StatusEvent>[] = [];
      const audit: AuditEntry[] = [];
      for (const provider of providers) {
        audit.push({
          actor: BULK_ACTOR,
          action: 'provider.created',
          subjectType: 'provider',
          subjectId: provider.id,
          data: { kvkNumber: provider.kvkNumber },
        });
        audit.push({
          actor: BULK_ACTOR,
          action: 'provider.identity_confirmed',
          subjectType: 'provider',
          subjectId: provider.id,
          data: { kvkNumber: provider.kvkNumber },
        });
        const roll = next();
        const approvedMonthsAgo = 1 + Math.floor(next() * 20);
        const event = (kind: StatusEventKind, effectiveAt: Date, extra: Partial<StatusEvent> = {}) => {
          events.push({
            providerId: provider.id,
            kind,
            effectiveAt,
            recordedAt: now,
            actor: BULK_ACTOR,
            reason: null,
            ...extra,
          });
          audit.push({
            actor: BULK_ACTOR,
            action: `status.${kind}`,
            subjectType: 'provider',
            subjectId: provider.id,
            data: { effectiveAt, ...extra },
          });
        };
        if (roll < 0.05) continue; // never listed
        const approvedAt = addMonths(now, -approvedMonthsAgo);
        event('application_submitted', addDays(approvedAt, -14));
        if (roll < 0.1) continue; // pending
        event('listing_approved', approvedAt, {
          validUntil: addMonths(approvedAt, 12),
          codeOfConductVersionId: version.id,
          codeSignedOn: toLocalDate(addDays(approvedAt, -20)),
          aanSince: addMonths(approvedAt, -6),
        });
        if (roll > 0.95) event('revoked', addDays(approvedAt, 60), { reason: 'Benchmark: ingetrokken' });
        else if (roll > 0.9) event('suspended', addDays(approvedAt, 30), { reason: 'Benchmark: geschorst' });
      }
      for (let i = 0; i < events.length; i += 1000)
        await manager.insert(StatusEvent, events.slice(i, i + 1000));
      await appendAuditEvents(manager, now, audit);
      await refreshStatusSnapshots(
        manager,
        providers.map((p) => p.id),
        now,
      );
    });
    done += size;
    onProgress(done, count);
  }
  // Fresh statistics, so that the planner knows the register's new size at once.
  await analyzeRegisterTables(dataSource);
  return done;
}
