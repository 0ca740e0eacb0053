import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { Application } from '../../src/application/application.entity';
import { shownDetails } from '../../src/application/application.service';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { must } from '../../src/shared/must';
import type { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { StatusEvent } from '../../src/status/status-event.entity';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenFilledApplication } from '../factories/application.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { useTestApp, givenIssuedAttestation } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn } from '../helpers/session';

/*
 * Two tabs on the same thing: the second to send meets a change it did not see. It gets its page
 * again (409) with what it typed, what changed meanwhile, and a form on the current state.
 */

/** Everything a refused form could have written: when none of these move, nothing was stored. */
async function footprint(ds: DataSource) {
  return {
    statusEvents: await ds.getRepository(StatusEvent).count(),
    auditEvents: await ds.getRepository(AuditEvent).count(),
    mails: await ds.getRepository(OutboxMail).count(),
  };
}

/** The hidden fields of a form (the one marked `marker`), as the browser sends them back. */
function hiddenFields(html: string, marker: string): Record<string, string> {
  const form = must(new RegExp(`<form[^>]*${marker}[\\s\\S]*?</form>`).exec(html)?.[0], `a form ${marker}`);
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[must(m[1], 'name')] = must(m[2], 'value').replaceAll('&#x27;', "'").replaceAll('&amp;', '&');
  return fields;
}

const hiddenVersion = (html: string) =>
  must(/name="version" value="(\d+)"/.exec(html)?.[1], 'a version field');

describe('a form sent on a state changed meanwhile', () => {
  const context = useTestApp();
  let version: CodeOfConductVersion;
  let reviewer: TestUser;
  let tab1: Agent;
  let tab2: Agent;

  before(async () => {
    const ds = context.db.dataSource;
    version = await givenCodeVersion(ds, { publishedAt: new Date('2025-01-01T00:00:00Z') });
    reviewer = await givenUser(ds, 'reviewer', { name: 'Rik Reviewer' });
    // Two tabs of one reviewer: one session, two pages loaded before either is sent.
    tab1 = await signedIn(context.app, reviewer);
    tab2 = tab1;
  });

  describe('POST /aanvragen/:id (the provider saves a draft in two tabs)', () => {
    it('shows the page again with the long name typed in tab 1, what tab 2 did, and the current version', async () => {
      const ds = context.db.dataSource;
      const provider = await givenProvider(ds);
      const who = await givenUser(ds, 'provider', { providerId: provider.id });
      const draft = await givenFilledApplication(ds, who.user, version, new Date(), { submit: false });
      const agent = await signedIn(context.app, who);
      const [page1, page2] = [
        await agent.get(`/aanvragen/${draft.id}`),
        await agent.get(`/aanvragen/${draft.id}`),
      ];
      const stale = hiddenVersion(page1.text);
      const details = shownDetails(draft);

      const saved2 = await agent
        .post(`/aanvragen/${draft.id}`)
        .type('form')
        .send({ ...details, signatoryName: 'Tab Twee', version: stale, _csrf: csrfFrom(page2.text) });
      assert.equal(saved2.status, 303, saved2.text.slice(0, 300));
      const before = await footprint(ds);

      const longName = 'Annemarie Wilhelmina van der Steen-Oosterhuis (tab één)';
      const saved1 = await agent
        .post(`/aanvragen/${draft.id}`)
        .type('form')
        .send({ ...details, signatoryName: longName, version: stale, _csrf: csrfFrom(page1.text) });

      assert.equal(saved1.status, 409, saved1.text.replace(/[\s\S]*<main/, '').slice(0, 600));
      await assertValidHtml(saved1.text, 'draft saved on a stale version');
      assert.match(saved1.text, /data-conflict>/);
      assert.match(saved1.text, /Intussen gewijzigd/);
      assert.match(saved1.text, /data-conflict-meanwhile>Intussen: Aanvraag opgeslagen, op \d+ \w+ \d{4}/);
      assert.doesNotMatch(
        saved1.text,
        new RegExp(who.email),
        'a provider sees what changed, not whose address',
      );
      assert.match(saved1.text, /data-conflict-state>De stand is nu: Concept/);
      assert.ok(saved1.text.includes(`value="${longName}"`), 'what tab 1 typed is on the page');
      const current = await ds.getRepository(Application).findOneByOrFail({ id: draft.id });
      assert.equal(
        hiddenVersion(saved1.text),
        String(current.version),
        'the form acts on the current version',
      );
      assert.equal(current.signatoryName, 'Tab Twee', 'nothing of tab 1 stored');
      assert.deepEqual(await footprint(ds), before);

      // Sent again from the page shown, it is saved.
      const again = await agent
        .post(`/aanvragen/${draft.id}`)
        .type('form')
        .send({
          ...details,
          signatoryName: longName,
          version: hiddenVersion(saved1.text),
          _csrf: csrfFrom(saved1.text),
        });
      assert.equal(again.status, 303);
      assert.equal(
        (await ds.getRepository(Application).findOneByOrFail({ id: draft.id })).signatoryName,
        longName,
      );
    });
  });

  describe('POST /beoordeling/aanvragen/:id/besluit (a reviewer previews in two tabs)', () => {
    it('tab 2’s rejection after tab 1’s approval: the page again with the reason typed, who approved and when', async () => {
      const ds = context.db.dataSource;
      const provider = await givenProvider(ds);
      const who = await givenUser(ds, 'provider', { providerId: provider.id });
      const { id } = await givenFilledApplication(ds, who.user, version, new Date());
      // Start the review, so that approve and reject are both offered.
      const start = await tab1.get(`/beoordeling/aanvragen/${id}`);
      assert.equal(
        (
          await tab1
            .post(`/beoordeling/aanvragen/${id}/besluit`)
            .type('form')
            .send({
              _csrf: csrfFrom(start.text),
              action: 'start_review',
              message: '',
              version: hiddenVersion(start.text),
            })
        ).status,
        303,
      );
      const page = await tab1.get(`/beoordeling/aanvragen/${id}`);
      const v = hiddenVersion(page.text);
      const preview1 = await tab1
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), action: 'approve', message: '', version: v });
      const reason = 'De ondertekening is niet geldig: de tekenbevoegde staat niet in het KvK-uittreksel.';
      const preview2 = await tab2
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), action: 'reject', message: reason, version: v });
      assert.equal(preview1.status, 200);
      assert.equal(preview2.status, 200);
      const approved = await tab1
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({
          ...hiddenFields(preview1.text, 'data-confirm-form'),
          _csrf: csrfFrom(preview1.text),
          confirm: '1',
        });
      assert.equal(approved.status, 303);
      const before = await footprint(ds);

      const rejected = await tab2
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({
          ...hiddenFields(preview2.text, 'data-confirm-form'),
          _csrf: csrfFrom(preview2.text),
          confirm: '1',
        });

      assert.equal(rejected.status, 409, rejected.text.replace(/[\s\S]*<main/, '').slice(0, 600));
      await assertValidHtml(rejected.text, 'rejection after an approval');
      assert.match(rejected.text, /data-conflict>/);
      assert.match(
        rejected.text,
        new RegExp(
          `data-conflict-meanwhile>Intussen: Aanvraag goedgekeurd, door ${reviewer.user.name} \\(${reviewer.email}\\) op \\d+ \\w+ \\d{4}`,
        ),
      );
      assert.match(rejected.text, /data-conflict-state>De stand is nu: Goedgekeurd/);
      assert.match(
        rejected.text,
        /data-typed-kept[\s\S]*De ondertekening is niet geldig: de tekenbevoegde staat/,
      );
      assert.doesNotMatch(rejected.text, /\/besluit"/, 'no decision is offered on an approved application');
      assert.deepEqual(await footprint(ds), before, 'nothing stored');
      assert.equal((await ds.getRepository(Application).findOneByOrFail({ id })).state, 'approved');
    });
  });

  describe('POST /beoordeling/hostingproviders/:kvk/status (suspend and revoke previewed in two tabs)', () => {
    async function listed() {
      const ds = context.db.dataSource;
      const provider = await givenProvider(ds);
      await givenApproval(ds, provider, version, new Date(Date.now() - 30 * 86400000));
      await givenUser(ds, 'provider', { providerId: provider.id });
      await givenIssuedAttestation(ds, provider.id, new Date());
      return provider;
    }

    async function preview(agent: Agent, kvk: string, fields: Record<string, string>) {
      const page = await agent.get(`/beoordeling/hostingproviders/${kvk}`);
      const res = await agent
        .post(`/beoordeling/hostingproviders/${kvk}/status`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), ...fields });
      assert.equal(res.status, 200, res.text.replace(/[\s\S]*<main/, '').slice(0, 400));
      return res;
    }

    const confirm = (agent: Agent, kvk: string, previewHtml: string) =>
      agent
        .post(`/beoordeling/hostingproviders/${kvk}/status`)
        .type('form')
        .send({
          ...hiddenFields(previewHtml, 'data-confirm-form'),
          _csrf: csrfFrom(previewHtml),
          confirm: '1',
        });

    it('a revocation previewed on ‘Verantwoord’ is not recorded once suspended: the preview again, from ‘geschorst’', async () => {
      const ds = context.db.dataSource;
      const provider = await listed();
      const kvk = provider.kvkNumber;
      const suspend = await preview(tab1, kvk, {
        action: 'suspend',
        reason: 'Onderzoek naar misbruik',
        until: '',
      });
      const revoke = await preview(tab2, kvk, { action: 'revoke', reason: 'Malafide reseller', until: '' });
      assert.match(revoke.text, /gaat van ‘Verantwoord’ naar ‘Niet verantwoord: ingetrokken’/);
      assert.ok(hiddenFields(revoke.text, 'data-confirm-form').basis, 'the confirmation carries its basis');
      assert.equal((await confirm(tab1, kvk, suspend.text)).status, 303);
      const before = await footprint(ds);

      const stale = await confirm(tab2, kvk, revoke.text);

      assert.equal(stale.status, 409, stale.text.replace(/[\s\S]*<main/, '').slice(0, 600));
      await assertValidHtml(stale.text, 'stale revocation');
      assert.deepEqual(await footprint(ds), before, 'nothing stored');
      assert.equal(
        await ds.getRepository(StatusEvent).countBy({ providerId: provider.id, kind: 'revoked' }),
        0,
      );
      assert.match(
        stale.text,
        /De status van deze hostingprovider is gewijzigd sinds u dit overzicht opende/,
      );
      assert.match(
        stale.text,
        new RegExp(
          `data-conflict-meanwhile>Intussen: [^<]*, door ${reviewer.user.name} \\(${reviewer.email}\\) op`,
        ),
      );
      assert.match(stale.text, /gaat van ‘Niet verantwoord: geschorst’ naar ‘Niet verantwoord: ingetrokken’/);
      assert.match(stale.text, /Malafide reseller/, 'the reason typed is in the new preview');
      const fresh = hiddenFields(stale.text, 'data-confirm-form');
      assert.notEqual(fresh.basis, hiddenFields(revoke.text, 'data-confirm-form').basis);

      // Confirmed on the preview computed anew, it is recorded.
      assert.equal((await confirm(tab2, kvk, stale.text)).status, 303);
      assert.equal(
        await ds.getRepository(StatusEvent).countBy({ providerId: provider.id, kind: 'revoked' }),
        1,
      );
    });

    it('a suspension confirmed twice says it is already suspended, since when and by whom, and keeps the reason', async () => {
      const ds = context.db.dataSource;
      const provider = await listed();
      const kvk = provider.kvkNumber;
      const reason = 'Meldingen van phishing vanaf servers van deze hostingprovider';
      const suspend = await preview(tab1, kvk, { action: 'suspend', reason, until: '' });
      assert.equal((await confirm(tab1, kvk, suspend.text)).status, 303);
      const before = await footprint(ds);

      const twice = await confirm(tab1, kvk, suspend.text);

      assert.equal(twice.status, 409, twice.text.replace(/[\s\S]*<main/, '').slice(0, 600));
      await assertValidHtml(twice.text, 'suspension confirmed twice');
      assert.deepEqual(await footprint(ds), before, 'nothing stored');
      assert.match(
        twice.text,
        new RegExp(
          `Deze hostingprovider is al geschorst, sinds \\d+ \\w+ \\d{4}[^<]*, door ${reviewer.user.name} \\(${reviewer.email}\\)\\.`,
        ),
      );
      assert.doesNotMatch(twice.text, /geen vermelding die geschorst kan worden/);
      assert.match(twice.text, new RegExp(`>${reason}</textarea>`), 'the reason typed is on the page');
      assert.equal(
        await ds.getRepository(StatusEvent).countBy({ providerId: provider.id, kind: 'suspended' }),
        1,
      );
    });
  });
});
