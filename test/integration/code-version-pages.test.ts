import assert from 'node:assert/strict';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { FixedClock } from '../../src/shared/clock';
import { must } from '../../src/shared/must';
import { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import {
  confirmationFields,
  listedProvider,
  previewOf,
  publishThroughPages,
  signedInOnClock,
} from '../helpers/code-versions';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom } from '../helpers/session';

/* Issue 12, fix round: what the code-version pages, the mail and /account say, and how the form answers. */

describe('a version announced for a later day is described as announced, not as published', () => {
  const clock = new FixedClock('2026-03-02T09:00:00Z');
  const context = useTestApp({ clock });
  let admin: Agent;

  before(async () => {
    admin = await signedInOnClock(clock, context.app, await givenUser(context.db.dataSource, 'admin'));
  });

  it('says on the result page, in the mail and on /account that it will be published, and from when one can apply', async () => {
    const ds = context.db.dataSource;
    const v2 = await givenCodeVersion(ds, { label: '2.0', publishedAt: new Date('2024-01-01T00:00:00Z') });
    // Listed until 2 March 2027: renewal opens on 2 December 2026.
    const { email, user } = await listedProvider(ds, v2, new Date('2026-03-02T08:00:00Z'));
    const published = await publishThroughPages(admin, {
      versionLabel: '3.0',
      versionTitle: 'Gedragscode 3.0',
      publishedOn: '2026-04-01',
      transitionEndsOn: '2026-10-01',
    });
    assert.equal(published.status, 303, published.text);
    const result = await admin.get(must(published.headers.location, 'the result page'));
    await assertValidHtml(result.text, 'an announced version');
    assert.doesNotMatch(result.text, /Versie 3\.0 is gepubliceerd/);
    assert.match(
      result.text,
      /Versie 3\.0 is aangekondigd en wordt gepubliceerd op 1 april 2026; vanaf dan kunnen hostingproviders een aanvraag op deze versie indienen\. 1 hostingprovider kreeg een e-mail\./,
    );
    assert.match(result.text, /Wordt gepubliceerd op<\/dt>[^]*?data-publication="announced"/);
    assert.match(result.text, /data-lapses="announced">aangekondigd: nog niet van kracht/);
    assert.doesNotMatch(result.text, /geldend/);
    assert.match(result.text, /Gemaild bij publicatie: 1 hostingprovider\./);
    const english = await admin.get(`${must(published.headers.location, 'the result page')}&lang=en`);
    assert.match(english.text, /will be published on 1 April 2026[^<]*1 hosting provider was e-mailed\./);
    assert.match(english.text, /E-mailed on publication: 1 hosting provider\./);
    await admin.get('/beheer/gedragscode?lang=nl');
    const list = await admin.get('/beheer/gedragscode');
    assert.match(list.text, /data-version="3\.0"[^]*?aangekondigd: nog niet van kracht/);

    const [mail] = await ds.getRepository(OutboxMail).findBy({ recipient: must(email, 'an address') });
    const body = must(mail, 'the publication mail').body;
    assert.match(
      body,
      /Versie 3\.0 van de gedragscode wordt gepubliceerd op 1 april 2026; vanaf dan kunt u een aanvraag op deze versie indienen\./,
    );
    assert.match(
      body,
      /Version 3\.0 of the code of conduct will be published on 1 April 2026; from then on you can apply/,
    );
    assert.doesNotMatch(body, /is gepubliceerd/);

    const provider = await signedInOnClock(clock, context.app, must(user, 'a provider user'));
    const account = await provider.get('/account');
    await assertValidHtml(account.text, 'account with an announced version');
    assert.match(account.text, /data-code-notice="announced"/);
    assert.match(
      account.text,
      /wordt gepubliceerd op 1 april 2026; vanaf dan kunt u een aanvraag op deze versie indienen/,
    );
    assert.doesNotMatch(account.text, /Versie 3\.0 van de gedragscode is gepubliceerd/);
    assert.match(account.text, /Verlengen kan vanaf 2 december 2026/);
    assert.match(
      account.text,
      /data-code-switch-from="2026-03-31T22:00:00.000Z">Vanaf 1 april 2026 kunt u hier een aanvraag op gedragscode 3\.0 starten/,
    );

    // From its publication the button is there.
    clock.set('2026-04-01T09:00:00Z');
    const later = await provider.get('/account');
    assert.match(later.text, /Aanvraag op gedragscode 3\.0 starten/);
    assert.doesNotMatch(later.text, /data-code-switch-from/);
    assert.doesNotMatch(later.text, /data-code-notice="announced"/);
    clock.set('2026-03-02T09:00:00Z');
  });

  it('labels a withdrawn version’s date as the publication that would have been, with the withdrawal', async () => {
    const ds = context.db.dataSource;
    const three = await ds.getRepository(CodeOfConductVersion).findOneByOrFail({ label: '3.0' });
    const page = await admin.get(`/beheer/gedragscode/${three.id}`);
    const withdrawn = await admin
      .post(`/beheer/gedragscode/${three.id}/intrekken`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(withdrawn.status, 303);
    const after = await admin.get(`/beheer/gedragscode/${three.id}`);
    await assertValidHtml(after.text, 'a withdrawn version');
    assert.match(
      after.text,
      /Zou gepubliceerd worden op<\/dt>[^]*?data-publication="withdrawn">[^]*?1 april 2026[^]*? — ingetrokken op [^]*?2 maart 2026/,
    );
    assert.doesNotMatch(after.text, />Gepubliceerd</);
  });
});

describe('the code-version form: days in words, the first accepted day, dates, labels, a double confirmation, what changed', () => {
  const clock = new FixedClock('2026-03-02T09:00:00Z');
  const context = useTestApp({ clock });
  let admin: Agent;
  const fields = (over: Record<string, string>) => ({
    versionLabel: '3.0',
    versionTitle: 'Gedragscode 3.0',
    publishedOn: '2026-04-01',
    transitionEndsOn: '2026-12-01',
    ...over,
  });

  before(async () => {
    const ds = context.db.dataSource;
    admin = await signedInOnClock(clock, context.app, await givenUser(ds, 'admin'));
    await givenCodeVersion(ds, { label: '1.0', publishedAt: new Date('2024-01-01T00:00:00Z') });
    // As the demo data has it: 1.0's lapse falls at 02:00 on 1 July, not at the start of that day.
    await givenCodeVersion(ds, {
      label: '2.0',
      publishedAt: new Date('2026-01-01T00:00:00Z'),
      transitionEndsAt: new Date('2026-07-01T00:00:00Z'),
    });
  });

  it('names the first day a transition may end on, in words, and accepts that day', async () => {
    const refused = await previewOf(admin, fields({ transitionEndsOn: '2026-07-01' }));
    assert.equal(refused.status, 400);
    assert.match(refused.text, /kies 2 juli 2026 of later: tot dan is versie 1\.0 al toegezegd/);
    const accepted = await previewOf(admin, fields({ transitionEndsOn: '2026-07-02' }));
    assert.equal(accepted.status, 200, accepted.text);
    const notNewest = await previewOf(admin, fields({ publishedOn: '2026-03-02', versionLabel: '4.0' }));
    assert.equal(notNewest.status, 200, 'published after 2.0');
    const early = await previewOf(
      admin,
      fields({ publishedOn: '2026-03-02', transitionEndsOn: '2026-03-03' }),
    );
    assert.match(early.text, /kies 2 juli 2026 of later/);
  });

  it('says a date that does not exist is not a valid date, and refuses a label with leading zeros', async () => {
    const res = await previewOf(admin, fields({ publishedOn: '2027-13-40', versionLabel: '04.0' }));
    assert.equal(res.status, 400);
    assert.match(res.text, /id="error-publishedOn">vul een bestaande datum in: dag, maand en jaar</);
    assert.doesNotMatch(res.text, /geef een datum van vandaag of later/);
    assert.match(res.text, /zonder voorloopnullen/);
    assert.match(res.text, /value="04\.0"/, 'what was typed stays');
  });

  it('shows the result page when the same administrator confirms the same version twice', async () => {
    const ds = context.db.dataSource;
    const preview = await previewOf(admin, fields({ versionLabel: '5.0', transitionEndsOn: '2026-12-01' }));
    assert.equal(preview.status, 200, preview.text);
    const confirmation = confirmationFields(preview.text);
    const first = await admin.post('/beheer/gedragscode/bevestigen').type('form').send(confirmation);
    assert.equal(first.status, 303, first.text);
    const second = await admin.post('/beheer/gedragscode/bevestigen').type('form').send(confirmation);
    assert.equal(second.status, 303, second.text);
    assert.equal(second.headers.location, first.headers.location);
    assert.equal(await ds.getRepository(CodeOfConductVersion).countBy({ label: '5.0' }), 1);
    // Another administrator sending the same is told the version exists.
    const other = await signedInOnClock(clock, context.app, await givenUser(ds, 'admin'));
    const form = await other.get('/beheer/gedragscode');
    const refused = await other
      .post('/beheer/gedragscode/bevestigen')
      .type('form')
      .send({ ...confirmation, _csrf: csrfFrom(form.text) });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /deze versie bestaat al/);
  });

  it('says what changed when the preview is out of date: here, who is on an older version', async () => {
    const ds = context.db.dataSource;
    const preview = await previewOf(admin, fields({ versionLabel: '6.0', publishedOn: '2026-05-01' }));
    assert.equal(preview.status, 200, preview.text);
    const five = await ds.getRepository(CodeOfConductVersion).findOneByOrFail({ label: '2.0' });
    await listedProvider(ds, five, new Date('2026-03-01T10:00:00Z'));
    const stale = await admin
      .post('/beheer/gedragscode/bevestigen')
      .type('form')
      .send(confirmationFields(preview.text));
    assert.equal(stale.status, 409);
    await assertValidHtml(stale.text, 'a preview out of date');
    assert.match(stale.text, /data-changed-part="codeVersions\.changedPart\.providers"/);
    assert.match(stale.text, /de hostingproviders op een oudere versie of hun status/);
    assert.doesNotMatch(stale.text, /changedPart\.lapses/);
    assert.doesNotMatch(stale.text, /een hostingprovider, een gebruiker of een versie/);
  });
});
