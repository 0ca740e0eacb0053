import { actorOf } from '../../src/audit/actor';
import assert from 'node:assert/strict';
import { Application } from '../../src/application/application.entity';
import { Evidence } from '../../src/application/evidence.entity';
import { Attestation } from '../../src/attestation/attestation.entity';
import { type Role, User } from '../../src/identity/user.entity';
import { dailyWork, JOB_ACTOR } from '../../src/jobs/daily-jobs';
import { Provider } from '../../src/provider/provider.entity';
import { statusOnDate } from '../../src/register/provider.service';
import { BULK_KVK_FIRST, BULK_KVK_LAST, BulkRangeFullError, seedBulk } from '../../src/seed/bulk';
import { seedDemoData } from '../../src/seed/demo';
import { DEMO_PROVIDERS } from '../../src/seed/demo-data';
import { addDays, endOfLocalDay, startOfLocalDay, toLocalDate } from '../../src/shared/time';
import { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { StatusEvent } from '../../src/status/status-event.entity';
import { toCodeVersionFact, toStatusFact } from '../../src/status/status-history';
import { codeVersionLapsesAt, type StatusEventKind, statusAt } from '../../src/status/status-rules';
import { testConfig, testKeyring } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { givenProvider } from '../factories/provider.factory';

/** Bulk providers walked next to the demo: a few hundred, so every kind of bulk history occurs. */
const BULK = 300;

/** Who may cause a status change of each kind: the role of the person whose decision it is. */
const DECIDED_BY: Partial<Record<StatusEventKind, Role>> = {
  application_submitted: 'provider',
  application_withdrawn: 'provider',
  listing_approved: 'reviewer',
  application_rejected: 'reviewer',
  suspended: 'reviewer',
  suspension_lifted: 'reviewer',
  revoked: 'reviewer',
};
/** The kinds that are decisions on one application, so that application must be named. */
const ON_APPLICATION: readonly StatusEventKind[] = [
  'application_submitted',
  'application_withdrawn',
  'listing_approved',
  'application_rejected',
];

/** The signing time in the signature dictionary of a signed PDF (`/M (D:YYYYMMDDHHmmss…)`). */
function signatureTime(pdf: Buffer): Date | undefined {
  const text = pdf.toString('latin1');
  const signature = /\/Type\s*\/Sig\b[\s\S]*?>>/.exec(text)?.[0] ?? '';
  const m = /\/M\s*\(D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'?\d{2}'?)?\)/.exec(signature);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.replace(/'/g, '').slice(3, 5)}`;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
}

const DAY = 86_400_000;
const nextDay = (day: string) => toLocalDate(addDays(startOfLocalDay(day), 1.5));

interface Register {
  providers: Provider[];
  events: Map<string, StatusEvent[]>;
  versions: CodeOfConductVersion[];
  applications: Map<string, Application>;
  evidence: Map<string, Set<string>>;
  users: Map<string, User>;
  attestations: Attestation[];
}

async function readRegister(db: TestDatabase): Promise<Register> {
  const m = db.dataSource.manager;
  const [providers, events, versions, applications, evidence, users, attestations] = await Promise.all([
    m.find(Provider),
    m.find(StatusEvent, { order: { effectiveAt: 'ASC', id: 'ASC' } }),
    m.find(CodeOfConductVersion, { order: { publishedAt: 'ASC' } }),
    m.find(Application),
    m.find(Evidence),
    m.find(User),
    m.getRepository(Attestation).createQueryBuilder('a').addSelect('a.pdf').getMany(),
  ]);
  const byProvider = new Map<string, StatusEvent[]>(providers.map((p) => [p.id, []]));
  for (const e of events) byProvider.get(e.providerId)?.push(e);
  const kinds = new Map<string, Set<string>>();
  for (const e of evidence) kinds.set(e.applicationId, (kinds.get(e.applicationId) ?? new Set()).add(e.kind));
  return {
    providers,
    events: byProvider,
    versions,
    applications: new Map(applications.map((a) => [a.id, a])),
    evidence: kinds,
    users: new Map(users.map((u) => [actorOf(u), u])),
    attestations,
  };
}

describe('the demo and bulk histories follow the register’s own rules', function () {
  this.timeout(300_000);
  const now = new Date();
  let db: TestDatabase;
  let register: Register;
  /** What the daily work (`jobs:daily`) found to do right after the demo was seeded, and the events then. */
  let dailyAfterDemo: Record<string, number>;
  let eventsAfterDemo: number[];

  before(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.dataSource, { now, config: testConfig, keyring: testKeyring });
    const countEvents = () => db.dataSource.manager.count(StatusEvent);
    const eventsBefore = await countEvents();
    dailyAfterDemo = await db.dataSource.transaction((m) => dailyWork(m, now, testConfig.publicBaseUrl));
    eventsAfterDemo = [eventsBefore, await countEvents()];
    await seedBulk(db.dataSource, BULK, now);
    register = await readRegister(db);
    assert.equal(register.providers.length, DEMO_PROVIDERS.length + BULK);
    const bulk = register.providers.filter((p) => !p.kvkNumber.startsWith('9999'));
    assert.equal(bulk.length, BULK, 'on top of the demo, bulk numbers never take a demo number');
    assert.ok(
      bulk.every((p) => Number(p.kvkNumber) >= BULK_KVK_FIRST && Number(p.kvkNumber) <= BULK_KVK_LAST),
    );
  });
  after(() => db.drop());

  const name = (providerId: string) =>
    register.providers.find((p) => p.id === providerId)?.legalName ?? providerId;

  it('approves only on a code version accepted at the approval instant, on an application with its evidence', () => {
    const facts = register.versions.map(toCodeVersionFact);
    const problems: string[] = [];
    for (const [providerId, events] of register.events) {
      for (const e of events.filter((x) => x.kind === 'listing_approved')) {
        const at = e.effectiveAt.getTime();
        const version = register.versions.find((v) => v.id === e.codeOfConductVersionId);
        const lapse = version && codeVersionLapsesAt(toCodeVersionFact(version), facts);
        if (!version || version.publishedAt.getTime() > at)
          problems.push(
            `${name(providerId)}: approved on ${e.effectiveAt.toISOString()} on a version not yet published`,
          );
        else if (lapse && at >= lapse.getTime())
          problems.push(
            `${name(providerId)}: approved on ${e.effectiveAt.toISOString()} on a lapsed version`,
          );
        if (e.aanSince && e.aanSince.getTime() > at)
          problems.push(`${name(providerId)}: approved before its AAN participation began`);
        const application = e.applicationId ? register.applications.get(e.applicationId) : undefined;
        if (
          application?.state !== 'approved' ||
          application.codeOfConductVersionId !== e.codeOfConductVersionId
        )
          problems.push(
            `${name(providerId)}: approval ${e.id} does not rest on an approved application of that version`,
          );
        const evidence = e.applicationId ? register.evidence.get(e.applicationId) : undefined;
        if (!evidence?.has('code_of_conduct') || !evidence.has('aan_confirmation'))
          problems.push(`${name(providerId)}: approval ${e.id} rests on an application without its evidence`);
      }
    }
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
  });

  it('records every status change from a decision with its application, a named actor of the right role, at the moment it was taken', () => {
    const problems: string[] = [];
    for (const [providerId, events] of register.events) {
      for (const e of events) {
        const role = DECIDED_BY[e.kind];
        if (!role) continue;
        const actor = register.users.get(e.actor);
        if (actor?.role !== role || (role === 'provider' && actor.providerId !== providerId))
          problems.push(
            `${name(providerId)}: ${e.kind} ${e.id} by ${e.actor}, not a ${role} of the register`,
          );
        if (e.recordedAt.getTime() !== e.effectiveAt.getTime())
          problems.push(
            `${name(providerId)}: ${e.kind} ${e.id} recorded at another moment than it took effect`,
          );
        if (!ON_APPLICATION.includes(e.kind)) continue;
        const application = e.applicationId ? register.applications.get(e.applicationId) : undefined;
        if (application?.providerId !== providerId)
          problems.push(`${name(providerId)}: ${e.kind} ${e.id} names no application of this provider`);
      }
    }
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
  });

  it('takes every decision in office hours, and gives each suspension and revocation a reason as a reviewer writes it', () => {
    const problems: string[] = [];
    for (const [providerId, events] of register.events) {
      for (const e of events.filter((x) => DECIDED_BY[x.kind])) {
        const minutes =
          (e.effectiveAt.getTime() - startOfLocalDay(toLocalDate(e.effectiveAt)).getTime()) / 60_000;
        if (minutes < 9 * 60 || minutes >= 18 * 60)
          problems.push(
            `${name(providerId)}: ${e.kind} at ${e.effectiveAt.toISOString()}, outside office hours`,
          );
        if ((e.kind === 'suspended' || e.kind === 'revoked') && !/^[A-Z][^:]{20,}\.$/.test(e.reason ?? ''))
          problems.push(`${name(providerId)}: ${e.kind} with reason "${e.reason}"`);
      }
    }
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
  });

  it('issues attestations only while verantwoord, each signed at the moment it says it was issued', () => {
    assert.ok(register.attestations.length >= 5, 'the demo attestations are there');
    const problems: string[] = [];
    for (const a of register.attestations) {
      const signed = signatureTime(a.pdf!);
      if (!signed || Math.floor(a.issuedAt.getTime() / 1000) !== signed.getTime() / 1000)
        problems.push(`${a.number}: issued ${a.issuedAt.toISOString()}, signed ${signed?.toISOString()}`);
      const answer = statusOnDate(
        { history: register.events.get(a.providerId) ?? [], codeVersions: register.versions },
        toLocalDate(a.issuedAt),
        a.issuedAt,
      );
      if (answer.kind !== 'answer' || !answer.status.verantwoord)
        problems.push(`${a.number}: issued while ${name(a.providerId)} was not verantwoord`);
    }
    assert.deepEqual(problems, []);
  });

  it('plays the daily work in the demo, so that jobs:daily at the seeding moment records nothing new', () => {
    assert.equal(dailyAfterDemo.expired, 0, 'expiries left for jobs:daily');
    assert.equal(dailyAfterDemo.lapsed, 0, 'lapses left for jobs:daily');
    assert.equal(eventsAfterDemo[1], eventsAfterDemo[0], 'status events added by jobs:daily');
  });

  it('records every expiry and version lapse as the daily work does: by jobs:daily, at most a day after it took effect', () => {
    const facts = register.versions.map(toCodeVersionFact);
    const problems: string[] = [];
    let endings = 0;
    const byTime: readonly StatusEventKind[] = ['listing_expired', 'code_of_conduct_lapsed'];
    for (const [providerId, events] of register.events) {
      for (const e of events.filter((x) => byTime.includes(x.kind))) {
        endings++;
        const late = e.recordedAt.getTime() - e.effectiveAt.getTime();
        if (e.actor !== JOB_ACTOR || late < 0 || late > DAY)
          problems.push(
            `${name(providerId)}: ${e.kind} effective ${e.effectiveAt.toISOString()} recorded ${e.recordedAt.toISOString()} by ${e.actor}`,
          );
      }
      // Every ending that held a day after it began (the next night had come) must be recorded.
      const history = events.map(toStatusFact);
      const instants = new Set<number>();
      for (const e of events.filter((x) => x.kind === 'listing_approved')) {
        instants.add(e.validUntil!.getTime());
        const version = register.versions.find((v) => v.id === e.codeOfConductVersionId);
        const lapse = version && codeVersionLapsesAt(toCodeVersionFact(version), facts);
        if (lapse) instants.add(lapse.getTime());
      }
      for (const at of instants) {
        if (at + DAY > now.getTime()) continue;
        const status = statusAt(history, facts, new Date(at + DAY));
        if (status.verantwoord || status.since?.getTime() !== at) continue;
        const kind =
          status.reason === 'expired'
            ? 'listing_expired'
            : status.reason === 'code_of_conduct_outdated'
              ? 'code_of_conduct_lapsed'
              : undefined;
        if (kind && !events.some((e) => e.kind === kind && e.effectiveAt.getTime() === at))
          problems.push(`${name(providerId)}: ${kind} of ${new Date(at).toISOString()} never recorded`);
      }
    }
    assert.ok(endings >= 20, `${endings} expiries and lapses recorded`);
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
  });

  it('keeps each provider’s AAN participation since one date across its applications, unless it ended and resumed', () => {
    const problems: string[] = [];
    for (const [providerId, events] of register.events) {
      const resumed = events.some((e) => e.kind === 'aan_participation_resumed');
      const since = new Set(
        [...register.applications.values()]
          .filter((a) => a.providerId === providerId && a.state !== 'draft' && a.aanSince)
          .map((a) => a.aanSince),
      );
      if (since.size > 1 && !resumed)
        problems.push(`${name(providerId)}: AAN since ${[...since].join(', ')}`);
    }
    assert.deepEqual(problems, []);
  });

  it('answers the peildatum of every day of every history as that history says', () => {
    const facts = register.versions.map(toCodeVersionFact);
    const problems: string[] = [];
    let days = 0;
    for (const [providerId, events] of register.events) {
      const first = events[0];
      if (!first) continue;
      const history = events.map(toStatusFact);
      for (let day = toLocalDate(first.effectiveAt); day <= toLocalDate(now); day = nextDay(day)) {
        days++;
        // The peildatum answer: the status at the end of that day (statusOnDate), or now for today.
        const at = Math.min(endOfLocalDay(day).getTime(), now.getTime());
        const status = statusAt(history, facts, new Date(at));
        const seen = events.filter((e) => e.effectiveAt.getTime() <= at);
        const approval = seen.findLast((e) => e.kind === 'listing_approved');
        if (!approval?.validUntil || at >= approval.validUntil.getTime()) continue;
        // In force: nothing after the approval took it away, no suspension standing, its version not lapsed.
        const since = approval.effectiveAt.getTime();
        const lastSuspension = seen.findLast((e) => e.kind === 'suspended' || e.kind === 'suspension_lifted');
        const version = register.versions.find((v) => v.id === approval.codeOfConductVersionId);
        const lapse = version && codeVersionLapsesAt(toCodeVersionFact(version), facts);
        const takenAway = seen.some(
          (e) =>
            e.effectiveAt.getTime() >= since &&
            (e.kind === 'revoked' || e.kind === 'aan_participation_ended'),
        );
        if (takenAway || lastSuspension?.kind === 'suspended' || (lapse && at >= lapse.getTime())) continue;
        if (!status.verantwoord)
          problems.push(`${name(providerId)} on ${day}: approved and in force, but "${status.reason}"`);
      }
    }
    assert.ok(days > 10_000, `walked ${days} provider-days`);
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} contradictions`);
  });
});

describe('seed:bulk KvK numbers', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('stay below the demo numbers and within 8 digits, and a count that does not fit is refused whole with a clear message', async () => {
    // A provider near the top of the bulk range leaves room for nine more.
    await givenProvider(db.dataSource, { kvkNumber: String(BULK_KVK_LAST - 9) });
    const providers = db.dataSource.getRepository(Provider);
    await assert.rejects(
      seedBulk(db.dataSource, 10, new Date()),
      (e: Error) =>
        e instanceof BulkRangeFullError &&
        e.message ===
          `Cannot add 10 providers: bulk KvK numbers run from ${BULK_KVK_FIRST} to ${BULK_KVK_LAST} (the demo's start with 9999), and only 9 are left above the highest one taken.`,
    );
    assert.equal(await providers.count(), 1, 'nothing was written');
    assert.equal(await seedBulk(db.dataSource, 9, new Date()), 9);
    const numbers = (await providers.find()).map((p) => p.kvkNumber).sort();
    assert.equal(numbers.at(-1), String(BULK_KVK_LAST));
    assert.ok(numbers.every((n) => /^\d{8}$/.test(n) && n < '99990000'));
  });
});
