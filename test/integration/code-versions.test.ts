import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { User } from '../../src/identity/user.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import type { Provider } from '../../src/provider/provider.entity';
import { providerDetail } from '../../src/register/provider.service';
import { FixedClock } from '../../src/shared/clock';
import { must } from '../../src/shared/must';
import { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom } from '../helpers/session';
import {
  confirmationFields,
  listedProvider,
  previewOf,
  versionPublishedThroughPages,
  signedInOnClock,
} from '../helpers/code-versions';

async function mailsTo(dataSource: DataSource, email: string | undefined): Promise<OutboxMail[]> {
  return dataSource.getRepository(OutboxMail).findBy({ recipient: must(email, 'an address') });
}

describe('publishing a code-of-conduct version: preview, confirmation, withdrawal', () => {
  const clock = new FixedClock('2026-06-01T10:00:00Z');
  const context = useTestApp({ clock });
  let admin: Agent;
  let adminEmail: string;
  let reachable: { provider: Provider; email?: string };
  let suspended: { provider: Provider; email?: string };
  let unreachable: { provider: Provider; email?: string };

  before(async () => {
    const ds = context.db.dataSource;
    const administrator = await givenUser(ds, 'admin');
    adminEmail = administrator.email;
    admin = await signedInOnClock(clock, context.app, administrator);
    const v1 = await givenCodeVersion(ds, { label: '1.0', publishedAt: new Date('2024-01-01T00:00:00Z') });
    reachable = await listedProvider(ds, v1, new Date('2026-01-10T10:00:00Z'));
    suspended = await listedProvider(ds, v1, new Date('2026-01-10T10:00:00Z'), {
      suspended: new Date('2026-05-01T10:00:00Z'),
    });
    unreachable = await listedProvider(ds, v1, new Date('2026-01-10T10:00:00Z'), { user: false });
    // One whose only user is disabled cannot be reached either.
    const disabled = await listedProvider(ds, v1, new Date('2026-01-10T10:00:00Z'));
    await ds.getRepository(User).update({ email: must(disabled.email, 'email') }, { disabledAt: new Date() });
    // Not listed: not concerned.
    await givenProvider(ds);
  });

  it('shows a preview first (lapse dates, who is mailed, suspended ones too, who cannot be reached), writes nothing, and publishes on confirmation', async () => {
    const ds = context.db.dataSource;
    const fields = {
      versionLabel: '2.0',
      versionTitle: 'Gedragscode 2.0',
      publishedOn: '2026-06-01',
      transitionEndsOn: '2026-12-01',
    };
    const preview = await previewOf(admin, fields);
    assert.equal(preview.status, 200, preview.text);
    await assertValidHtml(preview.text, 'publication preview');
    assert.match(preview.text, /data-lapse="1\.0"[\s\S]*?data-lapses-after="2026-11-30T23:00:00.000Z"/);
    assert.match(preview.text, /data-affected-count="4" data-reachable-count="2"/);
    assert.match(
      preview.text,
      new RegExp(`data-affected="${reachable.provider.kvkNumber}" data-reachable="yes"`),
    );
    assert.match(
      preview.text,
      new RegExp(`data-affected="${suspended.provider.kvkNumber}" data-reachable="yes"`),
    );
    assert.match(
      preview.text,
      new RegExp(`data-affected="${unreachable.provider.kvkNumber}" data-reachable="no"`),
    );
    assert.match(preview.text, /data-status="suspended"/);
    assert.equal(
      await ds.getRepository(CodeOfConductVersion).countBy({ label: '2.0' }),
      0,
      'nothing published yet',
    );
    assert.equal((await mailsTo(ds, reachable.email)).length, 0, 'nobody mailed yet');

    const confirmed = await admin
      .post('/beheer/gedragscode/bevestigen')
      .type('form')
      .send(confirmationFields(preview.text));
    assert.equal(confirmed.status, 303, confirmed.text);
    const result = await admin.get(must(confirmed.headers.location, 'the result page'));
    await assertValidHtml(result.text, 'publication result');
    assert.match(result.text, /data-published/);
    assert.match(result.text, /data-notified-count="2"/);
    assert.match(result.text, new RegExp(`data-unreachable="${unreachable.provider.kvkNumber}"`));

    const mails = await mailsTo(ds, reachable.email);
    assert.equal(mails.length, 1);
    const [mail] = mails;
    assert.match(
      must(mail, 'one mail').body,
      /1 december 2026[\s\S]*1 December 2026/,
      'the end in words, both languages',
    );
    assert.equal((await mailsTo(ds, suspended.email)).length, 1, 'a suspended provider is told too');
    const version = await ds.getRepository(CodeOfConductVersion).findOneByOrFail({ label: '2.0' });
    const audit = await ds.getRepository(AuditEvent).findOneByOrFail({
      action: 'code_of_conduct.published',
      subjectId: version.id,
    });
    assert.deepEqual(
      [...(audit.data as { notifiedProviderIds: string[] }).notifiedProviderIds].sort(),
      [reachable.provider.id, suspended.provider.id].sort(),
    );
    assert.equal(version.unreachableProviderIds.length, 2);
  });

  it('shows the preview again, publishing nothing, when what it showed changed before the confirmation', async () => {
    const ds = context.db.dataSource;
    const fields = {
      versionLabel: '3.0',
      versionTitle: 'Gedragscode 3.0',
      publishedOn: '2026-07-01',
      transitionEndsOn: '2027-01-01',
    };
    const preview = await previewOf(admin, fields);
    assert.equal(preview.status, 200);
    const v2 = await ds.getRepository(CodeOfConductVersion).findOneByOrFail({ label: '2.0' });
    const newcomer = await listedProvider(ds, v2, new Date('2026-06-01T09:00:00Z'));

    const stale = await admin
      .post('/beheer/gedragscode/bevestigen')
      .type('form')
      .send(confirmationFields(preview.text));
    assert.equal(stale.status, 409);
    assert.match(stale.text, /data-preview-changed/);
    assert.match(stale.text, new RegExp(`data-affected="${newcomer.provider.kvkNumber}"`));
    assert.equal(await ds.getRepository(CodeOfConductVersion).countBy({ label: '3.0' }), 0);

    const again = await admin
      .post('/beheer/gedragscode/bevestigen')
      .type('form')
      .send(confirmationFields(stale.text));
    assert.equal(again.status, 303, again.text);
  });

  it('refuses a lower label, a date before the latest version, and a transition that would shorten an announced one, keeping what was typed', async () => {
    const ds = context.db.dataSource;
    // 2.0 lapses on 1 January 2027 (3.0's transition), as announced.
    const cases: [Record<string, string>, RegExp][] = [
      [
        {
          versionLabel: '2.5',
          versionTitle: 'Test 2.5',
          publishedOn: '2026-08-01',
          transitionEndsOn: '2027-02-01',
        },
        /een nieuwe versie heeft een hoger nummer dan de hoogste versie tot nu toe \(3\.0\)/,
      ],
      [
        {
          versionLabel: '10.0',
          versionTitle: 'Test 10',
          publishedOn: '2026-06-15',
          transitionEndsOn: '2027-02-01',
        },
        /een nieuwe versie wordt na de laatste gepubliceerd \(versie 3\.0 op 1 juli 2026\)/,
      ],
      [
        {
          versionLabel: '10.0',
          versionTitle: 'Test 10',
          publishedOn: '2026-08-01',
          transitionEndsOn: '2026-10-01',
        },
        /kies 1 januari 2027 of later: tot dan is versie 2\.0 al toegezegd/,
      ],
      [
        {
          versionLabel: 'T-2',
          versionTitle: 'Test',
          publishedOn: '2026-08-01',
          transitionEndsOn: '2027-02-01',
        },
        /een versie bestaat uit cijfers gescheiden door punten/,
      ],
      [
        {
          versionLabel: '3',
          versionTitle: 'Test',
          publishedOn: '2026-08-01',
          transitionEndsOn: '2027-02-01',
        },
        /deze versie bestaat al/,
      ],
    ];
    for (const [fields, message] of cases) {
      const res = await previewOf(admin, fields);
      assert.equal(res.status, 400, fields.versionLabel);
      assert.match(res.text, message);
      assert.match(res.text, new RegExp(`value="${fields.versionTitle}"`));
    }
    // A confirmation is checked again: a forged one is refused the same way.
    const forged = await admin
      .post('/beheer/gedragscode/bevestigen')
      .type('form')
      .send({
        _csrf: csrfFrom((await admin.get('/beheer/gedragscode')).text),
        ...cases[0]![0],
        digest: 'x',
      });
    assert.equal(forged.status, 400);
    assert.equal(await ds.getRepository(CodeOfConductVersion).countBy({ title: 'Test 2.5' }), 0);
  });

  it('refuses a date in the past and a transition that ends before the publication', async () => {
    const res = await previewOf(admin, {
      versionLabel: '11.0',
      versionTitle: 'Nog een',
      publishedOn: '2020-01-01',
      transitionEndsOn: '2019-12-31',
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /geef een datum van vandaag of later/);
    assert.match(res.text, /de overgangsperiode eindigt na de publicatiedatum/);
    assert.match(res.text, /value="Nog een"/);
  });

  it('withdraws a version before its publication: older versions lapse as before, mailed providers hear it, audited; never after publication', async () => {
    const ds = context.db.dataSource;
    // Labels compare by number: 10.0 comes after 3.0.
    const ten = await versionPublishedThroughPages(ds, admin, '10.0', {
      publishedOn: '2026-09-01',
      transitionEndsOn: '2027-03-01',
    });
    const page = await admin.get(`/beheer/gedragscode/${ten.id}`);
    assert.match(page.text, /Versie intrekken/);
    const before = (await mailsTo(ds, reachable.email)).length;

    const withdrawn = await admin
      .post(`/beheer/gedragscode/${ten.id}/intrekken`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(withdrawn.status, 303);
    // Sent twice: not "someone else", but when and by whom, with a link to the version's page.
    const twice = await admin
      .post(`/beheer/gedragscode/${ten.id}/intrekken`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(twice.status, 409);
    await assertValidHtml(twice.text, 'withdrawal sent twice');
    assert.match(twice.text, /Deze versie is al ingetrokken op [^<]*\d{4}[^<]* door u\./);
    assert.doesNotMatch(twice.text, /iemand anders/i);
    assert.match(twice.text, new RegExp(`href="/beheer/gedragscode/${ten.id}" data-back`));
    const after = await admin.get(`/beheer/gedragscode/${ten.id}`);
    await assertValidHtml(after.text, 'withdrawn version');
    assert.match(after.text, /data-withdrawn/);
    assert.doesNotMatch(after.text, /Versie intrekken/);
    // Still listed, marked withdrawn (when, by whom), linking to its page.
    const list = await admin.get('/beheer/gedragscode');
    await assertValidHtml(list.text, 'versions with a withdrawn one');
    assert.match(
      list.text,
      new RegExp(
        `data-version="10\\.0" data-withdrawn>[\\s\\S]*?href="/beheer/gedragscode/${ten.id}"[\\s\\S]*?Ingetrokken op [^<]* door [^<]*\\(${adminEmail.replaceAll('.', '\\.')}\\)`,
      ),
    );
    const mails = await mailsTo(ds, reachable.email);
    assert.equal(mails.length, before + 1);
    assert.match(must(mails.at(-1), 'a mail').subject, /Versie 10\.0 van de gedragscode is ingetrokken/);
    assert.equal(
      await ds.getRepository(AuditEvent).countBy({ action: 'code_of_conduct.withdrawn', subjectId: ten.id }),
      1,
    );
    // 3.0 is the current version again: a provider on it is verantwoord after 1 March 2027.
    const v3 = await ds.getRepository(CodeOfConductVersion).findOneByOrFail({ label: '3.0' });
    const onThree = await listedProvider(ds, v3, new Date('2026-07-02T10:00:00Z'));
    const later = await providerDetail(ds, onThree.provider.kvkNumber, new Date('2027-04-01T00:00:00Z'));
    assert.equal(later.status.verantwoord, true);
    // The label is free again.
    assert.equal(
      (
        await previewOf(admin, {
          versionLabel: '10.0',
          versionTitle: 'Opnieuw',
          publishedOn: '2026-09-01',
          transitionEndsOn: '2027-03-01',
        })
      ).status,
      200,
    );

    // 2.0 was published at this instant: too late to withdraw.
    const two = await ds.getRepository(CodeOfConductVersion).findOneByOrFail({ label: '2.0' });
    const refused = await admin
      .post(`/beheer/gedragscode/${two.id}/intrekken`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(refused.status, 409);
    assert.equal(
      (await ds.getRepository(CodeOfConductVersion).findOneByOrFail({ id: two.id })).withdrawnAt,
      null,
    );
  });

  it('is for administrators only', async () => {
    const reviewer = await signedInOnClock(
      clock,
      context.app,
      await givenUser(context.db.dataSource, 'reviewer'),
    );
    assert.equal((await reviewer.get('/beheer/gedragscode')).status, 403);
  });
});
