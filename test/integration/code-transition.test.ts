import assert from 'node:assert/strict';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { Application } from '../../src/application/application.entity';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { FixedClock } from '../../src/shared/clock';
import { must } from '../../src/shared/must';
import { addDays, toLocalDate } from '../../src/shared/time';
import { type CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { StatusEvent } from '../../src/status/status-event.entity';
import {
  loadCodeVersions,
  loadHistories,
  toCodeVersionFact,
  toStatusFact,
} from '../../src/status/status-history';
import { statusAt } from '../../src/status/status-rules';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
} from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { listedProvider, versionPublishedThroughPages, signedInOnClock } from '../helpers/code-versions';
import { assertValidHtml } from '../helpers/html';
import { type Agent, submitForm, tokenFor } from '../helpers/session';

const PDF = simplePdf('Ondertekende gedragscode');
const HOUR = 3_600_000;

async function applicationVersion(dataSource: DataSource, id: string): Promise<string> {
  return String((await dataSource.getRepository(Application).findOneByOrFail({ id })).version);
}

/** Starts an application from /account and fills it in on `codeVersionId`; answers the save. */
async function startAndSave(agent: Agent, dataSource: DataSource, codeVersionId: string) {
  const start = await submitForm(agent, '/account', '/aanvragen', {});
  assert.equal(start.status, 303, start.text);
  const id = must(start.headers.location?.split('/').pop(), 'the start redirects to the application');
  const saved = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}`, {
    version: await applicationVersion(dataSource, id),
    codeOfConductVersionId: codeVersionId,
    // Signed on the day 2.0 was published: never before a version exists.
    codeSignedOn: '2026-03-02',
    signatoryName: 'Sanne Switch',
    signatoryRole: 'Directeur',
    aanSince: '2024-06-01',
    aanContactName: 'Anna AAN',
    aanContactEmail: 'aan@switch.example',
  });
  return { id, saved };
}

/** Adds both pieces of evidence and submits; answers the submission. */
async function uploadAndSubmit(agent: Agent, dataSource: DataSource, id: string) {
  for (const kind of ['code_of_conduct', 'aan_confirmation']) {
    const token = await tokenFor(agent, `/aanvragen/${id}`);
    const res = await agent
      .post(`/aanvragen/${id}/bewijsstukken`)
      .field('_csrf', token)
      .field('kind', kind)
      .attach('file', PDF, `${kind}.pdf`);
    assert.equal(res.status, 303, res.text);
  }
  return submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/indienen`, {
    version: await applicationVersion(dataSource, id),
  });
}

async function approve(agent: Agent, dataSource: DataSource, id: string) {
  return submitForm(agent, `/beoordeling/aanvragen/${id}`, `/beoordeling/aanvragen/${id}/besluit`, {
    action: 'approve',
    message: '',
    version: await applicationVersion(dataSource, id),
    confirm: '1',
  });
}

describe('during a code-of-conduct transition, providers move to the new version', () => {
  const clock = new FixedClock(new Date());
  const context = useTestApp({ clock });
  let admin: TestUser;
  let reviewer: TestUser;
  let v1: CodeOfConductVersion;
  let v2: CodeOfConductVersion;

  before(async () => {
    const ds = context.db.dataSource;
    admin = await givenUser(ds, 'admin');
    reviewer = await givenUser(ds, 'reviewer');
    v1 = await givenCodeVersion(ds, { label: '1.0', publishedAt: new Date('2024-01-01T00:00:00Z') });
    clock.set('2026-03-02T09:00:00Z');
    // Version 2.0 today; 1.0 stays accepted until 1 June 2026.
    v2 = await versionPublishedThroughPages(ds, await signedInOnClock(clock, context.app, admin), '2.0', {
      publishedOn: '2026-03-02',
      transitionEndsOn: '2026-06-01',
    });
  });

  it('offers an application on the new version at once, outside the renewal window; the approval moves the listing without a gap and keeps its end', async () => {
    const ds = context.db.dataSource;
    clock.set('2026-03-02T09:00:00Z');
    // Listed on 1.0 until 1 December 2026: the renewal window opens on 2 September.
    const { provider } = await listedProvider(ds, v1, new Date('2025-12-01T10:00:00Z'), { user: false });
    const user = await givenUser(ds, 'provider', { providerId: provider.id });
    const agent = await signedInOnClock(clock, context.app, user);

    const account = await agent.get('/account');
    await assertValidHtml(account.text, 'account during a transition');
    assert.match(account.text, /data-code-switch/);
    assert.match(account.text, /Aanvraag op gedragscode 2\.0 starten/);
    assert.doesNotMatch(account.text, /Verlengen kan vanaf/);
    // The notice and the offer together name the lapse of 1.0 once (1 June 2026), not twice.
    assert.equal(account.text.match(/1 juni 2026/g)?.length, 1, 'the lapse is said once');

    const { id, saved } = await startAndSave(agent, ds, v2.id);
    assert.equal(saved.status, 303, saved.text);
    const form = await agent.get(`/aanvragen/${id}`);
    assert.match(form.text, /data-version-lapses="1\.0"/, 'the older version comes with its lapse date');
    assert.equal((await uploadAndSubmit(agent, ds, id)).status, 303);

    clock.set('2026-03-05T10:00:00Z');
    const decided = await approve(await signedInOnClock(clock, context.app, reviewer), ds, id);
    assert.equal(decided.status, 303, decided.text);

    const approval = await ds
      .getRepository(StatusEvent)
      .findOneByOrFail({ providerId: provider.id, applicationId: id, kind: 'listing_approved' });
    assert.equal(approval.codeOfConductVersionId, v2.id);
    assert.equal(
      approval.validUntil?.toISOString(),
      '2026-12-01T10:00:00.000Z',
      'the end is kept, not shortened',
    );

    // Every hour across the switch and past the old version's lapse: verantwoord, since the first approval.
    const history = must((await loadHistories(ds.manager, [provider.id])).get(provider.id), 'history').map(
      toStatusFact,
    );
    const versions = (await loadCodeVersions(ds.manager)).map(toCodeVersionFact);
    const lapse = new Date('2026-05-31T22:00:00Z');
    const instants = [new Date(lapse.getTime() - 1), lapse, new Date(lapse.getTime() + 1)];
    for (let t = Date.parse('2026-02-15T00:00:00Z'); t < Date.parse('2026-12-01T10:00:00Z'); t += HOUR)
      instants.push(new Date(t));
    for (const t of instants) {
      const status = statusAt(history, versions, t);
      assert.equal(status.verantwoord ? 'verantwoord' : status.reason, 'verantwoord', t.toISOString());
      assert.equal(status.since?.toISOString(), '2025-12-01T10:00:00.000Z', t.toISOString());
    }
    // And so the API says for every peildatum up to today.
    for (let day = new Date('2026-02-15T12:00:00Z'); day <= clock.now(); day = addDays(day, 1)) {
      const res = await request(context.app).get(
        `/api/v1/hostingproviders/${provider.kvkNumber}?peildatum=${toLocalDate(day)}`,
      );
      assert.equal(res.status, 200);
      assert.equal((res.body as { status: { code: string } }).status.code, 'verantwoord', toLocalDate(day));
    }
  });

  it('lets a suspended provider on the older version apply too: the approval moves its version, the suspension stays until lifted', async () => {
    const ds = context.db.dataSource;
    clock.set('2026-03-05T11:00:00Z');
    const { provider, user } = await listedProvider(ds, v1, new Date('2025-12-01T10:00:00Z'), {
      suspended: new Date('2026-02-01T10:00:00Z'),
    });
    const agent = await signedInOnClock(clock, context.app, must(user, 'a provider user'));
    assert.match((await agent.get('/account')).text, /Aanvraag op gedragscode 2\.0 starten/);
    const { id } = await startAndSave(agent, ds, v2.id);
    assert.equal((await uploadAndSubmit(agent, ds, id)).status, 303);
    assert.equal((await approve(await signedInOnClock(clock, context.app, reviewer), ds, id)).status, 303);

    const history = () =>
      loadHistories(ds.manager, [provider.id]).then((h) =>
        must(h.get(provider.id), 'history').map(toStatusFact),
      );
    const versions = (await loadCodeVersions(ds.manager)).map(toCodeVersionFact);
    const now = statusAt(await history(), versions, clock.now());
    assert.equal(now.verantwoord ? 'verantwoord' : now.reason, 'suspended');
    await givenStatusEvent(ds, {
      providerId: provider.id,
      kind: 'suspension_lifted',
      effectiveAt: new Date('2026-07-01T10:00:00Z'),
    });
    // After 1.0 lapsed: verantwoord, because the listing now rests on 2.0.
    const lifted = statusAt(await history(), versions, new Date('2026-07-02T00:00:00Z'));
    assert.equal(lifted.verantwoord ? 'verantwoord' : lifted.reason, 'verantwoord');
  });

  it('offers only versions accepted now; saving or submitting another is refused, and a reviewer cannot approve on a lapsed version', async () => {
    const ds = context.db.dataSource;
    clock.set('2026-03-06T10:00:00Z');
    // 3.0 is announced for 1 April: not accepted yet, so not offered.
    const v3 = await versionPublishedThroughPages(
      ds,
      await signedInOnClock(clock, context.app, admin),
      '3.0',
      {
        publishedOn: '2026-04-01',
        transitionEndsOn: '2026-09-01',
      },
    );

    const newcomer = await givenProvider(ds);
    const agent = await signedInOnClock(
      clock,
      context.app,
      await givenUser(ds, 'provider', { providerId: newcomer.id }),
    );
    const refused = await startAndSave(agent, ds, v3.id);
    assert.equal(refused.saved.status, 400);
    assert.match(refused.saved.text, /kies een versie van de gedragscode die nu geldt/);
    assert.match(refused.saved.text, /value="Sanne Switch"/, 'what was typed is kept');
    assert.match(refused.saved.text, new RegExp(`<option value="${v2.id}"`));
    assert.match(refused.saved.text, new RegExp(`<option value="${v1.id}"`));
    assert.doesNotMatch(refused.saved.text, new RegExp(`<option value="${v3.id}"`));

    // On 1.0, still in its transition: accepted, with a warning.
    const id = refused.id;
    const saved = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}`, {
      version: await applicationVersion(ds, id),
      codeOfConductVersionId: v1.id,
      // Signed on the day 2.0 was published: never before a version exists.
      codeSignedOn: '2026-03-02',
      signatoryName: 'Sanne Switch',
      signatoryRole: 'Directeur',
      aanSince: '2024-06-01',
      aanContactName: 'Anna AAN',
      aanContactEmail: 'aan@switch.example',
    });
    assert.equal(saved.status, 303, saved.text);
    assert.equal((await uploadAndSubmit(agent, ds, id)).status, 303);

    // 1.0 lapsed on 1 June; the application still waits.
    clock.set('2026-06-02T10:00:00Z');
    const reviewerAgent = await signedInOnClock(clock, context.app, reviewer);
    const page = await reviewerAgent.get(`/beoordeling/aanvragen/${id}`);
    assert.match(page.text, /data-code-version-not-accepted/);
    const audits = await ds.getRepository(AuditEvent).count();
    const decided = await approve(reviewerAgent, ds, id);
    assert.equal(decided.status, 400);
    await assertValidHtml(decided.text, 'review page refusing an approval');
    assert.match(decided.text, /de ondertekende versie 1\.0 van de gedragscode is vervallen op 1 juni 2026/);
    assert.equal((await ds.getRepository(Application).findOneByOrFail({ id })).state, 'submitted');
    assert.equal(
      await ds.getRepository(StatusEvent).countBy({ providerId: newcomer.id, kind: 'listing_approved' }),
      0,
    );
    assert.equal(await ds.getRepository(AuditEvent).count(), audits, 'nothing written');
  });

  it('refuses to submit an application whose saved version lapsed meanwhile', async () => {
    const ds = context.db.dataSource;
    clock.set('2026-05-20T10:00:00Z');
    const organisation = await givenProvider(ds);
    const agent = await signedInOnClock(
      clock,
      context.app,
      await givenUser(ds, 'provider', { providerId: organisation.id }),
    );
    const { id, saved } = await startAndSave(agent, ds, v1.id);
    assert.equal(saved.status, 303);
    clock.set('2026-06-02T10:00:00Z');
    const submitted = await uploadAndSubmit(agent, ds, id);
    assert.equal(submitted.status, 400);
    assert.match(submitted.text, /kies een versie van de gedragscode die nu geldt/);
    assert.equal((await ds.getRepository(Application).findOneByOrFail({ id })).state, 'draft');
  });
});

describe("a status's 'since' on the provider page", () => {
  const context = useTestApp();

  it('never lies before the provider existed: an approval on a long-lapsed version is not verantwoord since that approval', async () => {
    const ds = context.db.dataSource;
    // 0.9 lapsed on 1 January 2024, when 1.0 was published without a transition.
    const old = await givenCodeVersion(ds, { label: '0.9', publishedAt: new Date('2019-01-01T00:00:00Z') });
    await givenCodeVersion(ds, { label: '1.0', publishedAt: new Date('2024-01-01T00:00:00Z') });
    const provider = await givenProvider(ds);
    await givenApproval(ds, provider, old, new Date('2026-03-05T10:00:00Z'));

    const page = await request(context.app).get(`/hostingproviders/${provider.kvkNumber}`).expect(200);
    assert.match(page.text, /data-status="code_of_conduct_outdated"/);
    assert.match(page.text, /Sinds 5 maart 2026/);
    assert.doesNotMatch(page.text, /Sinds 1 januari 2024/);
    const api = await request(context.app).get(`/api/v1/hostingproviders/${provider.kvkNumber}`).expect(200);
    assert.equal((api.body as { status: { sinds: string } }).status.sinds, '2026-03-05T10:00:00.000Z');
  });
});
