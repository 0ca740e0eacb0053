import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { Application } from '../../src/application/application.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { FixedClock } from '../../src/shared/clock';
import { must } from '../../src/shared/must';
import { type CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { listedProvider, versionPublishedThroughPages, signedInOnClock } from '../helpers/code-versions';
import { assertValidHtml } from '../helpers/html';
import { type Agent, submitForm, tokenFor } from '../helpers/session';

/* Issue 12, fix round: the signing date against the version signed, and the move to a new version. */

const PDF = simplePdf('Ondertekende gedragscode');

async function versionOf(dataSource: DataSource, id: string): Promise<string> {
  return String((await dataSource.getRepository(Application).findOneByOrFail({ id })).version);
}

function detailsFields(codeVersionId: string, codeSignedOn: string) {
  return {
    codeOfConductVersionId: codeVersionId,
    codeSignedOn,
    signatoryName: 'Sanne Signatuur',
    signatoryRole: 'Directeur',
    aanSince: '2024-06-01',
    aanContactName: 'Anna AAN',
    aanContactEmail: 'aan@signatuur.example',
  };
}

async function save(agent: Agent, ds: DataSource, id: string, fields: Record<string, string>) {
  return submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}`, {
    version: await versionOf(ds, id),
    ...fields,
  });
}

async function uploadBoth(agent: Agent, id: string) {
  for (const kind of ['code_of_conduct', 'aan_confirmation']) {
    const res = await agent
      .post(`/aanvragen/${id}/bewijsstukken`)
      .field('_csrf', await tokenFor(agent, `/aanvragen/${id}`))
      .field('kind', kind)
      .attach('file', PDF, `${kind}.pdf`);
    assert.equal(res.status, 303, res.text);
  }
}

async function decide(agent: Agent, ds: DataSource, id: string, action: string, message = '') {
  return submitForm(agent, `/beoordeling/aanvragen/${id}`, `/beoordeling/aanvragen/${id}/besluit`, {
    action,
    message,
    version: await versionOf(ds, id),
    confirm: '1',
  });
}

describe('a code-of-conduct signature is dated from its version’s publication to today; the move names its version', () => {
  const clock = new FixedClock('2026-03-02T09:00:00Z');
  const context = useTestApp({ clock });
  let reviewer: TestUser;
  let v1: CodeOfConductVersion;
  let v2: CodeOfConductVersion;

  before(async () => {
    const ds = context.db.dataSource;
    reviewer = await givenUser(ds, 'reviewer');
    v1 = await givenCodeVersion(ds, { label: '1.0', publishedAt: new Date('2024-01-01T00:00:00Z') });
    // 2.0 published today; 1.0 stays accepted until 1 June 2026.
    const admin = await signedInOnClock(clock, context.app, await givenUser(ds, 'admin'));
    v2 = await versionPublishedThroughPages(ds, admin, '2.0', {
      publishedOn: '2026-03-02',
      transitionEndsOn: '2026-06-01',
    });
  });

  it('starts the move on the version the button named, offers only newer versions, and shows the move and the end after approval', async () => {
    const ds = context.db.dataSource;
    clock.set('2026-03-02T09:00:00Z');
    const { user } = await listedProvider(ds, v1, new Date('2025-12-01T10:00:00Z'));
    const agent = await signedInOnClock(clock, context.app, must(user, 'a provider user'));
    assert.match((await agent.get('/account')).text, /Aanvraag op gedragscode 2\.0 starten/);
    const start = await submitForm(agent, '/account', '/aanvragen', {});
    const id = must(start.headers.location?.split('/').pop(), 'the new application');

    const form = await agent.get(`/aanvragen/${id}`);
    await assertValidHtml(form.text, 'the move form');
    assert.match(form.text, new RegExp(`<option value="${v2.id}" selected>`), '2.0 is preselected');
    assert.doesNotMatch(form.text, new RegExp(`<option value="${v1.id}"`), 'the older 1.0 is not offered');
    assert.match(form.text, /data-move="2\.0"/);
    assert.match(form.text, /overstap van gedragscode 1\.0 naar 2\.0/);
    // Before the renewal window the move keeps the listing's end: the approval's own computation.
    assert.match(form.text, /data-valid-until-if-approved="2026-12-01T10:00:00.000Z">1 december 2026</);
  });

  it('refuses a signing date before the version’s publication or in the future, on save, on submit and on approval', async () => {
    const ds = context.db.dataSource;
    clock.set('2026-03-02T09:00:00Z');
    const { user } = await listedProvider(ds, v1, new Date('2025-12-01T10:00:00Z'));
    const agent = await signedInOnClock(clock, context.app, must(user, 'a provider user'));
    const start = await submitForm(agent, '/account', '/aanvragen', {});
    const id = must(start.headers.location?.split('/').pop(), 'the new application');

    const early = await save(agent, ds, id, detailsFields(v2.id, '2020-01-01'));
    assert.equal(early.status, 400, early.text);
    await assertValidHtml(early.text, 'a signature dated too early');
    assert.match(
      early.text,
      /versie 2\.0 is gepubliceerd op 2 maart 2026; een ondertekening van die versie kan niet van een eerdere dag zijn/,
    );
    assert.match(early.text, /value="2020-01-01"/, 'what was typed stays');
    const english = await agent
      .post(`/aanvragen/${id}?lang=en`)
      .type('form')
      .send({
        ...detailsFields(v2.id, '2020-01-01'),
        version: await versionOf(ds, id),
        _csrf: await tokenFor(agent, `/aanvragen/${id}`),
      });
    assert.match(english.text, /version 2\.0 was published on 2 March 2026/);
    await agent.get('/account?lang=nl');

    const future = await save(agent, ds, id, detailsFields(v2.id, '2026-03-03'));
    assert.equal(future.status, 400, future.text);
    assert.match(future.text, /niet in de toekomst/);
    assert.equal((await ds.getRepository(Application).findOneByOrFail({ id })).codeSignedOn, null);

    // Stored with an impossible date (as before this rule): submitting is refused too.
    assert.equal((await save(agent, ds, id, detailsFields(v2.id, '2026-03-02'))).status, 303);
    await uploadBoth(agent, id);
    await ds.getRepository(Application).update({ id }, { codeSignedOn: '2020-01-01' });
    const submitted = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/indienen`, {
      version: await versionOf(ds, id),
    });
    assert.equal(submitted.status, 400, submitted.text);
    assert.match(submitted.text, /versie 2\.0 is gepubliceerd op 2 maart 2026/);
    assert.equal((await ds.getRepository(Application).findOneByOrFail({ id })).state, 'draft');

    // Submitted with a good date, then found with the impossible one: the reviewer is warned and cannot approve.
    await ds.getRepository(Application).update({ id }, { codeSignedOn: '2026-03-02' });
    const good = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/indienen`, {
      version: await versionOf(ds, id),
    });
    assert.equal(good.status, 303, good.text);
    await ds.getRepository(Application).update({ id }, { codeSignedOn: '2020-01-01' });
    const staff = await signedInOnClock(clock, context.app, reviewer);
    const page = await staff.get(`/beoordeling/aanvragen/${id}`);
    assert.match(page.text, /data-signature-problem="signedBeforePublished"/);
    assert.match(
      page.text,
      /ondertekend op 1 januari 2020, vóór de publicatie van versie 2\.0 op 2 maart 2026/,
    );
    assert.match(page.text, /data-move="2\.0"/, 'the reviewer sees the move too');
    const refused = await decide(staff, ds, id, 'approve');
    assert.equal(refused.status, 400, refused.text);
    assert.match(
      refused.text,
      /de gedragscode is ondertekend op 1 januari 2020, vóór de publicatie van versie 2\.0/,
    );
    assert.equal((await ds.getRepository(Application).findOneByOrFail({ id })).state, 'submitted');
  });

  it('mails the approval with the version the listing now rests on and its end in words', async () => {
    const ds = context.db.dataSource;
    clock.set('2026-03-02T09:00:00Z');
    const { user, email } = await listedProvider(ds, v1, new Date('2025-12-01T10:00:00Z'));
    const agent = await signedInOnClock(clock, context.app, must(user, 'a provider user'));
    const start = await submitForm(agent, '/account', '/aanvragen', {});
    const id = must(start.headers.location?.split('/').pop(), 'the new application');
    assert.equal((await save(agent, ds, id, detailsFields(v2.id, '2026-03-02'))).status, 303);
    await uploadBoth(agent, id);
    const submitted = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/indienen`, {
      version: await versionOf(ds, id),
    });
    assert.equal(submitted.status, 303, submitted.text);
    clock.set('2026-03-05T10:00:00Z');
    const approved = await decide(await signedInOnClock(clock, context.app, reviewer), ds, id, 'approve');
    assert.equal(approved.status, 303, approved.text);
    const mails = await ds.getRepository(OutboxMail).findBy({ recipient: must(email, 'an address') });
    const mail = must(
      mails.find((m) => m.subject.startsWith('Besluit')),
      'the decision mail',
    );
    assert.match(
      mail.body,
      /Uw vermelding rust op versie 2\.0 van de gedragscode en is geldig tot 1 december 2026\./,
    );
    assert.match(
      mail.body,
      /Your listing rests on version 2\.0 of the code of conduct and is valid until 1 December 2026\./,
    );
  });
});
