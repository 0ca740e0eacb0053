import assert from 'node:assert/strict';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { Application } from '../../src/application/application.entity';
import { REVIEW_QUEUE_PAGE_SIZE } from '../../src/application/review.service';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import type { Provider } from '../../src/provider/provider.entity';
import { must } from '../../src/shared/must';
import { addDays, toLocalDate } from '../../src/shared/time';
import { waitingTime } from '../../src/shared/working-days';
import type { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { StatusEvent } from '../../src/status/status-event.entity';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
} from '../factories/provider.factory';
import { givenFilledApplication } from '../factories/application.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { useTestApp, givenIssuedAttestation } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn } from '../helpers/session';

/* Irreversible steps ask first: a page that says what will happen and shows what will be published. */

/** Everything a decision could write: when none of these move, nothing was stored. */
async function footprint(ds: DataSource, applicationId?: string) {
  const application = applicationId
    ? await ds.getRepository(Application).findOneByOrFail({ id: applicationId })
    : undefined;
  return {
    statusEvents: await ds.getRepository(StatusEvent).count(),
    auditEvents: await ds.getRepository(AuditEvent).count(),
    mails: await ds.getRepository(OutboxMail).count(),
    messages: Number(
      must((await ds.query<{ n: string }[]>('SELECT count(*) AS n FROM application_messages'))[0], 'a count')
        .n,
    ),
    state: application?.state,
    version: application?.version,
  };
}

/** Text of an HTML attribute as the browser reads it. */
function unescaped(value: string): string {
  return value
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&#x3D;', '=')
    .replaceAll('&#x60;', '`')
    .replaceAll('&amp;', '&');
}

/** The hidden fields of the confirmation form, as the browser sends them back. */
function hiddenFields(html: string): Record<string, string> {
  const form = must(/<form[^>]*data-confirm-form[\s\S]*?<\/form>/.exec(html)?.[0], 'a confirmation form');
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[must(m[1], 'name')] = unescaped(must(m[2], 'value'));
  return fields;
}

/** The details cell of a public history row: reason, validity, code version, AAN since. */
function detailsCell(rowHtml: string): string {
  const cells = [...rowHtml.matchAll(/<td class="utrecht-table__cell">([\s\S]*?)<\/td>/g)];
  return must(cells[1]?.[1], 'a details cell').replace(/\s+/g, ' ').trim();
}

describe('confirming irreversible review actions', () => {
  const context = useTestApp();
  let version: CodeOfConductVersion;
  let reviewer: TestUser;
  let agent: Agent;

  before(async () => {
    const ds = context.db.dataSource;
    version = await givenCodeVersion(ds, { publishedAt: new Date('2025-01-01T00:00:00Z') });
    reviewer = await givenUser(ds, 'reviewer');
    agent = await signedIn(context.app, reviewer);
  });

  /** A submitted application of a new (unconfirmed) organisation with one provider user. */
  async function submitted(options: { unconfirmed?: boolean } = {}) {
    const ds = context.db.dataSource;
    const provider = await givenProvider(ds, {}, options);
    const who = await givenUser(ds, 'provider', { providerId: provider.id });
    const application = await givenFilledApplication(ds, who.user, version, new Date());
    return { provider, who, id: application.id };
  }

  async function post(id: string, fields: Record<string, string>, query = '') {
    const page = await agent.get(`/beoordeling/aanvragen/${id}`);
    return agent
      .post(`/beoordeling/aanvragen/${id}/besluit${query}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields });
  }

  async function versionOf(id: string) {
    return String((await context.db.dataSource.getRepository(Application).findOneByOrFail({ id })).version);
  }

  describe('POST /beoordeling/aanvragen/:id/besluit', () => {
    it('approve: shows what will happen and stores nothing until confirmed, then confirm=1 stores it', async () => {
      const ds = context.db.dataSource;
      const { provider, who, id } = await submitted({ unconfirmed: true });
      const before = await footprint(ds, id);
      const message = 'Goedgekeurd na controle <b>bij KvK</b> & "AAN"';
      const res = await post(id, { action: 'approve', message, version: await versionOf(id) });
      assert.equal(res.status, 200, res.text.slice(0, 400));
      await assertValidHtml(res.text, 'approval confirmation');
      assert.deepEqual(await footprint(ds, id), before, 'the first POST stores nothing');
      assert.match(res.text, /Er is nog niets vastgelegd/);
      assert.match(res.text, /De aanvraag gaat van ‘Ingediend’ naar ‘Goedgekeurd’/);
      assert.match(res.text, /gaat van ‘Niet verantwoord: aanvraag in behandeling’ naar ‘Verantwoord’/);
      assert.match(res.text, new RegExp(`op grond van versie ${version.label} van de gedragscode`));
      assert.match(res.text, /data-consequence="identity"/, 'the organisation becomes public');
      assert.match(
        res.text,
        /bevestigd door u als beoordelaar, zonder gecontroleerd uittreksel/,
        'and says how',
      );
      assert.match(res.text, new RegExp(`e-mail, aan: ${who.email}`));
      // The public text, escaped, exactly where the public page puts it.
      assert.match(
        res.text,
        /<span class="register-history__reason">Goedgekeurd na controle &lt;b&gt;bij KvK&lt;\/b&gt; &amp; &quot;AAN&quot;<\/span>/,
      );
      assert.doesNotMatch(res.text, /<b>bij KvK<\/b>/);
      const preview = must(
        /<tbody class="utrecht-table__body" data-preview-row>([\s\S]*?)<\/tbody>/.exec(res.text)?.[1],
        'a preview row',
      );

      const fields = hiddenFields(res.text);
      assert.deepEqual(
        { action: fields.action, message: fields.message, version: fields.version },
        { action: 'approve', message, version: before.version?.toString() },
      );
      const confirmed = await agent
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({ ...fields, _csrf: csrfFrom(res.text), confirm: '1' });
      assert.equal(confirmed.status, 303, confirmed.text.slice(0, 400));
      assert.equal((await ds.getRepository(Application).findOneByOrFail({ id })).state, 'approved');
      const approval = await ds
        .getRepository(StatusEvent)
        .findOneByOrFail({ applicationId: id, kind: 'listing_approved' });
      assert.equal(approval.reason, message);

      // The public page shows the row as previewed: the same reason, validity, code version and AAN date.
      const publicPage = await request(context.app)
        .get(`/hostingproviders/${provider.kvkNumber}`)
        .expect(200);
      const publicRow = must(
        new RegExp(`<tr class="utrecht-table__row" data-event-id="${approval.id}">[\\s\\S]*?</tr>`).exec(
          publicPage.text,
        )?.[0],
        'the approval in the public history',
      );
      assert.equal(detailsCell(publicRow), detailsCell(preview));
      assert.match(publicPage.text, /data-status="verantwoord"/);
    });

    it('reject: the confirmation names the public reason and the status; nothing stored before confirming', async () => {
      const ds = context.db.dataSource;
      const { id } = await submitted();
      const before = await footprint(ds, id);
      const res = await post(id, {
        action: 'reject',
        message: 'Geen geldige handtekening.',
        version: await versionOf(id),
      });
      assert.equal(res.status, 200);
      await assertValidHtml(res.text, 'rejection confirmation');
      assert.deepEqual(await footprint(ds, id), before);
      assert.match(
        res.text,
        /gaat van ‘Niet verantwoord: aanvraag in behandeling’ naar ‘Niet verantwoord: aanvraag afgewezen’/,
      );
      assert.match(res.text, /<span class="register-history__reason">Geen geldige handtekening\.<\/span>/);
      // The public page's status panel names the reason too: the preview shows that line.
      assert.match(
        res.text,
        /data-preview-status="rejected"[\s\S]*Geen geldige handtekening\.[\s\S]*data-preview-row/,
      );
      assert.match(res.text, /Bevestigen: afwijzen/);
    });

    it('back to change: the form again with everything typed, nothing stored', async () => {
      const ds = context.db.dataSource;
      const { id } = await submitted();
      const before = await footprint(ds, id);
      const typed = 'Toelichting met <tekens> & regels';
      const res = await post(id, { action: 'reject', message: typed, version: await versionOf(id) });
      const back = await agent
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({ ...hiddenFields(res.text), _csrf: csrfFrom(res.text), edit: '1' });
      assert.equal(back.status, 200);
      await assertValidHtml(back.text, 'decision form shown again');
      assert.match(back.text, /id="action-reject" name="action" value="reject" checked/);
      assert.match(
        back.text,
        /<textarea[^>]*name="message"[^>]*>Toelichting met &lt;tekens&gt; &amp; regels<\/textarea>/,
      );
      assert.deepEqual(await footprint(ds, id), before);
    });

    it('shows validation errors on the form before confirming: a rejection without a reason, an unknown action', async () => {
      const ds = context.db.dataSource;
      const { id } = await submitted();
      const before = await footprint(ds, id);
      const noReason = await post(id, { action: 'reject', message: ' ', version: await versionOf(id) });
      assert.equal(noReason.status, 400);
      assert.match(noReason.text, /geef een reden op/);
      assert.doesNotMatch(noReason.text, /data-confirm-form/);
      const unknown = await post(id, { action: 'delete', message: '', version: await versionOf(id) });
      assert.equal(unknown.status, 400);
      assert.deepEqual(await footprint(ds, id), before);
    });

    it('carries the version: a decision taken meanwhile makes the confirmation a conflict, storing nothing more', async () => {
      const ds = context.db.dataSource;
      const { id } = await submitted();
      const res = await post(id, { action: 'approve', message: '', version: await versionOf(id) });
      assert.equal(res.status, 200);
      assert.match(
        res.text,
        /data-no-public-text/,
        'without a message the page says only the change is shown',
      );
      // Someone else starts the review meanwhile.
      const other = await signedIn(context.app, await givenUser(ds, 'reviewer'));
      const page = await other.get(`/beoordeling/aanvragen/${id}`);
      const started = await other
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({
          _csrf: csrfFrom(page.text),
          action: 'start_review',
          message: '',
          version: await versionOf(id),
        });
      assert.equal(started.status, 303, 'starting a review is not confirmed first');
      const before = await footprint(ds, id);
      const confirmed = await agent
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({ ...hiddenFields(res.text), _csrf: csrfFrom(res.text), confirm: '1' });
      assert.equal(confirmed.status, 409);
      assert.deepEqual(await footprint(ds, id), before);
    });

    it('the language switch of the confirmation page shows it again in English, still storing nothing', async () => {
      const ds = context.db.dataSource;
      const { id } = await submitted();
      const res = await post(id, { action: 'reject', message: 'Onvolledig', version: await versionOf(id) });
      const before = await footprint(ds, id);
      const form = must(
        /<form method="post" action="([^"]+)" class="register-language__form"[\s\S]*?<\/form>/.exec(
          res.text,
        ) ?? undefined,
        'a switch form',
      );
      assert.doesNotMatch(form[0], /_taalwissel/);
      const switched = await agent
        .post(unescaped(must(form[1], 'an action')))
        .type('form')
        .send({ ...hiddenFields(res.text), _csrf: csrfFrom(res.text) });
      assert.equal(switched.status, 200);
      assert.match(switched.text, /Nothing has been recorded yet/);
      assert.match(switched.text, /<span class="register-history__reason">Onvolledig<\/span>/);
      assert.deepEqual(await footprint(ds, id), before);
      // The switch remembers English: back to Dutch for the other tests of this agent.
      await agent.get('/?lang=nl').expect(200);
    });

    it('labels the explanation as public on approval and rejection', async () => {
      const { id } = await submitted();
      const page = await agent.get(`/beoordeling/aanvragen/${id}`).expect(200);
      assert.match(
        page.text,
        /for="field-message">Toelichting <span[^>]*>\(niet verplicht\)<\/span> <strong[^>]*data-public-field>\(openbaar bij goedkeuren en afwijzen\)<\/strong>/,
      );
      assert.doesNotMatch(page.text, /Toelichting voor de aanvrager/);
    });
  });

  describe('POST /beoordeling/hostingproviders/:kvkNumber/status', () => {
    async function listed(): Promise<{ provider: Provider; number: string; who: TestUser }> {
      const ds = context.db.dataSource;
      const provider = await givenProvider(ds);
      const who = await givenUser(ds, 'provider', { providerId: provider.id });
      await givenApproval(ds, provider, version, addDays(new Date(), -30));
      const { number } = await givenIssuedAttestation(ds, provider.id, new Date());
      return { provider, number, who };
    }

    async function act(kvk: string, fields: Record<string, string>) {
      const page = await agent.get(`/beoordeling/hostingproviders/${kvk}`);
      return agent
        .post(`/beoordeling/hostingproviders/${kvk}/status`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), ...fields });
    }

    it('suspend: names the attestations that stop being valid and previews the public reason and end date; stores on confirm', async () => {
      const ds = context.db.dataSource;
      const { provider, number, who } = await listed();
      const before = await footprint(ds);
      const until = toLocalDate(addDays(new Date(), 20));
      const res = await act(provider.kvkNumber, {
        action: 'suspend',
        reason: 'Onderzoek <naar> misbruik',
        until,
      });
      assert.equal(res.status, 200, res.text.slice(0, 400));
      await assertValidHtml(res.text, 'suspension confirmation');
      assert.deepEqual(await footprint(ds), before, 'the first POST stores nothing');
      assert.match(res.text, /gaat van ‘Verantwoord’ naar ‘Niet verantwoord: geschorst’/);
      assert.match(res.text, new RegExp(`data-attestation="${number}"`));
      assert.match(res.text, /wie haar controleert, ziet ‘geschorst’/);
      assert.match(res.text, new RegExp(`e-mail, aan: ${who.email}`));
      assert.match(
        res.text,
        /<span class="register-history__reason">Onderzoek &lt;naar&gt; misbruik<\/span>/,
      );
      assert.match(res.text, /data-preview-row>[\s\S]*Geschorst tot \d+ \w+ \d{4}/);
      assert.match(res.text, /data-preview-status="suspended"[\s\S]*Gepland tot/);
      assert.equal(
        (await request(context.app).get(`/verificatie/${number}`)).text.includes(
          'data-attestation-state="valid"',
        ),
        true,
      );

      const confirmed = await agent
        .post(`/beoordeling/hostingproviders/${provider.kvkNumber}/status`)
        .type('form')
        .send({ ...hiddenFields(res.text), _csrf: csrfFrom(res.text), confirm: '1' });
      assert.equal(confirmed.status, 303, confirmed.text.slice(0, 400));
      const suspended = await ds
        .getRepository(StatusEvent)
        .findOneByOrFail({ providerId: provider.id, kind: 'suspended' });
      assert.equal(suspended.reason, 'Onderzoek <naar> misbruik');
      assert.equal(toLocalDate(suspended.suspendedUntil!), until);
    });

    it('the preview shows a planned end of AAN participation as the public page does', async () => {
      const ds = context.db.dataSource;
      const { provider } = await listed();
      await givenStatusEvent(ds, {
        providerId: provider.id,
        kind: 'aan_participation_ended',
        effectiveAt: addDays(new Date(), 40),
      });
      const publicPage = await request(context.app)
        .get(`/hostingproviders/${provider.kvkNumber}`)
        .expect(200);
      const line = must(
        /<li class="utrecht-unordered-list__item" data-aan-ends>[^<]*<\/li>/.exec(publicPage.text)?.[0],
        'the planned end on the public page',
      );
      const res = await act(provider.kvkNumber, { action: 'suspend', reason: 'Onderzoek', until: '' });
      assert.equal(res.status, 200);
      const previewStatus = must(
        /data-preview-status="suspended">[\s\S]*?<\/ul>/.exec(res.text)?.[0],
        'the previewed status',
      );
      assert.ok(previewStatus.includes(line), 'the same line in the preview');
    });

    it('revoke: says it is final and needs a new application; a missing reason shows on the form first', async () => {
      const ds = context.db.dataSource;
      const { provider } = await listed();
      const before = await footprint(ds);
      const noReason = await act(provider.kvkNumber, { action: 'revoke', reason: '', until: '' });
      assert.equal(noReason.status, 400);
      assert.doesNotMatch(noReason.text, /data-confirm-form/);
      const res = await act(provider.kvkNumber, { action: 'revoke', reason: 'Malafide reseller', until: '' });
      assert.equal(res.status, 200);
      assert.match(res.text, /Intrekken is definitief/);
      assert.match(res.text, /wie haar controleert, ziet ‘ingetrokken’/);
      assert.deepEqual(await footprint(ds), before);
      const back = await agent
        .post(`/beoordeling/hostingproviders/${provider.kvkNumber}/status`)
        .type('form')
        .send({ ...hiddenFields(res.text), _csrf: csrfFrom(res.text), edit: '1' });
      assert.equal(back.status, 200);
      assert.match(back.text, /id="action-revoke" name="action" value="revoke" checked/);
      assert.match(back.text, />Malafide reseller<\/textarea>/);
      assert.deepEqual(await footprint(ds), before);
    });

    it('lifting a suspension is not confirmed first, and the reason and end date are labelled public', async () => {
      const ds = context.db.dataSource;
      const { provider } = await listed();
      const page = await agent.get(`/beoordeling/hostingproviders/${provider.kvkNumber}`).expect(200);
      assert.match(
        page.text,
        /for="field-reason">Reden <strong[^>]*data-public-field>\(openbaar\)<\/strong>/,
      );
      assert.match(
        page.text,
        /for="field-until">[^<]*<span[^>]*>\(niet verplicht\)<\/span> <strong[^>]*data-public-field>\(openbaar\)<\/strong>/,
      );
      const suspend = await act(provider.kvkNumber, { action: 'suspend', reason: 'Onderzoek', until: '' });
      await agent
        .post(`/beoordeling/hostingproviders/${provider.kvkNumber}/status`)
        .type('form')
        .send({ ...hiddenFields(suspend.text), _csrf: csrfFrom(suspend.text), confirm: '1' })
        .expect(303);
      const lift = await act(provider.kvkNumber, { action: 'lift', reason: '', until: '' });
      assert.equal(lift.status, 303);
      assert.equal(
        await ds.getRepository(StatusEvent).countBy({ providerId: provider.id, kind: 'suspension_lifted' }),
        1,
      );
    });
  });

  describe('GET /beoordeling: the queue', () => {
    it('shows what each application waits for and how long, in working days and days', async () => {
      const ds = context.db.dataSource;
      const waiting = await submitted();
      const submittedAt = addDays(new Date(), -16);
      await ds.getRepository(Application).update(waiting.id, { submittedAt });
      const queue = await agent.get('/beoordeling').expect(200);
      await assertValidHtml(queue.text, 'review queue');
      const row = must(
        new RegExp(`<tr class="utrecht-table__row" data-application="${waiting.id}">[\\s\\S]*?</tr>`).exec(
          queue.text,
        )?.[0],
        'the application in the queue',
      );
      const waited = waitingTime(submittedAt, new Date());
      assert.equal(waited.days, 16);
      assert.match(row, /data-waits-for="reviewer_start">een beoordelaar \(nog niet in behandeling\)/);
      assert.match(row, new RegExp(`data-waited-working-days="${waited.workingDays}" data-waited-days="16"`));
      assert.match(row, new RegExp(`${waited.workingDays} werkdag(en)? \\(16 dagen\\)`));

      // Asked for changes: it waits for the provider, counted from the request.
      const changes = await submitted();
      const page = await agent.get(`/beoordeling/aanvragen/${changes.id}`);
      await agent
        .post(`/beoordeling/aanvragen/${changes.id}/besluit`)
        .type('form')
        .send({
          _csrf: csrfFrom(page.text),
          action: 'request_changes',
          message: 'Graag de AAN-bevestiging.',
          version: await versionOf(changes.id),
        })
        .expect(303);
      const filtered = await agent.get('/beoordeling?status=changes_requested').expect(200);
      const changesRow = must(
        new RegExp(`data-application="${changes.id}">[\\s\\S]*?</tr>`).exec(filtered.text)?.[0],
        'the application asked to change',
      );
      assert.match(changesRow, /data-waits-for="provider_changes">wijzigingen van de hostingprovider/);
      assert.match(changesRow, /data-waited-working-days="0" data-waited-days="0"/);
    });
  });

  describe('GET /beoordeling: paging through a long queue (issue 15, outside try)', () => {
    it('says how many applications wait and pages through them, the newest on the last page', async () => {
      const ds = context.db.dataSource;
      // More than a page of applications waiting (one open application per provider), submitted
      // one minute apart in the future so they stand after the others, the newest last.
      const extra = REVIEW_QUEUE_PAGE_SIZE + 5;
      const providers: string[] = [];
      for (let i = 0; i < extra; i++) providers.push((await givenProvider(ds)).id);
      await ds.query(
        `INSERT INTO applications (provider_id, kind, state, submitted_at, created_by, code_of_conduct_version_id,
                                   code_signed_on, signatory_name, signatory_role, aan_since, aan_contact_name)
         SELECT p, 'listing', 'submitted', now() + interval '1 day' + n * interval '1 minute', $2, $3,
                current_date, 'Sara Tekenaar', 'Directeur', current_date, 'Anna AAN'
           FROM unnest($1::uuid[]) WITH ORDINALITY AS t(p, n)`,
        [providers, reviewer.user.id, version.id],
      );
      const [{ n: waiting }] = must(
        await ds.query<[{ n: number }]>(
          `SELECT count(*)::int AS n FROM applications WHERE state IN ('submitted', 'in_review')`,
        ),
        'a count',
      );
      const pageCount = Math.ceil(waiting / REVIEW_QUEUE_PAGE_SIZE);
      assert.ok(pageCount >= 2);
      const rowsOf = (html: string) => [...html.matchAll(/data-application="([^"]+)"/g)].map((m) => m[1]);

      const first = await agent.get('/beoordeling').expect(200);
      await assertValidHtml(first.text, 'review queue, page 1');
      assert.match(first.text, new RegExp(`data-total="${waiting}"><strong>${waiting} aanvragen</strong>`));
      assert.equal(rowsOf(first.text).length, REVIEW_QUEUE_PAGE_SIZE);
      assert.match(first.text, new RegExp(`Pagina 1 van ${pageCount}`));
      assert.match(first.text, /rel="next" href="\/beoordeling\?page&#x3D;2"/);

      // The last page holds the newest; a page past the end shows the last page.
      const last = await agent.get(`/beoordeling?page=${pageCount}`).expect(200);
      const newest = must(
        (
          await ds.query<{ id: string }[]>(`SELECT id FROM applications WHERE provider_id = $1`, [
            providers[providers.length - 1],
          ])
        )[0],
        'the newest application',
      ).id;
      assert.equal(rowsOf(last.text).at(-1), newest);
      assert.equal(rowsOf(last.text).length, waiting - (pageCount - 1) * REVIEW_QUEUE_PAGE_SIZE);
      assert.match(last.text, new RegExp(`rel="prev" href="/beoordeling\\?page&#x3D;${pageCount - 1}"`));
      assert.doesNotMatch(last.text, /rel="next"/);
      const past = await agent.get('/beoordeling?page=999').expect(200);
      assert.deepEqual(rowsOf(past.text), rowsOf(last.text));
      assert.match(past.text, new RegExp(`Pagina ${pageCount} van ${pageCount}`));

      // The links keep the filter.
      const filtered = await agent.get('/beoordeling?status=submitted').expect(200);
      assert.match(filtered.text, /rel="next" href="\/beoordeling\?status&#x3D;submitted&amp;page&#x3D;2"/);
      const english = await agent.get('/beoordeling?lang=en').expect(200);
      assert.match(english.text, new RegExp(`${waiting} applications`));
      await agent.get('/beoordeling?lang=nl').expect(200);
    });
  });

  describe('GET /beoordeling/hostingproviders?q=: find a provider and act on it', () => {
    it('finds a provider by KvK number and by name, and its page offers the reviewer its actions', async () => {
      const ds = context.db.dataSource;
      const provider = await givenProvider(ds, { legalName: 'Zoekbare Hosting Confirmatie B.V.' });
      await givenApproval(ds, provider, version, addDays(new Date(), -10));
      const queue = await agent.get('/beoordeling').expect(200);
      assert.match(queue.text, /data-staff-search/);
      for (const q of [provider.kvkNumber, 'Zoekbare Hosting Confirmatie']) {
        const found = await agent.get(`/beoordeling/hostingproviders?q=${encodeURIComponent(q)}`).expect(200);
        assert.match(found.text, new RegExp(`href="/beoordeling/hostingproviders/${provider.kvkNumber}"`), q);
      }
      const page = await agent.get(`/beoordeling/hostingproviders/${provider.kvkNumber}`).expect(200);
      assert.match(
        page.text,
        new RegExp(`action="/beoordeling/hostingproviders/${provider.kvkNumber}/status"`),
      );
      for (const action of ['suspend', 'revoke'])
        assert.match(page.text, new RegExp(`id="action-${action}"`));
    });
  });

  // Last: the successor it publishes starts the transition of the version the other tests use.
  describe('GET /beoordeling/aanvragen/:id: the code version', () => {
    it('shows the version chosen and flags it while a successor’s transition runs', async () => {
      const ds = context.db.dataSource;
      const { id } = await submitted();
      const current = await agent.get(`/beoordeling/aanvragen/${id}`).expect(200);
      assert.match(current.text, new RegExp(`data-code-version="${version.label}"`));
      assert.match(current.text, /data-code-version-standing="current"/);

      // A successor is published with a transition of two months: the chosen version lapses then.
      const lapse = addDays(new Date(), 60);
      const successor = await givenCodeVersion(ds, {
        publishedAt: addDays(new Date(), -1),
        transitionEndsAt: lapse,
      });
      const flagged = await agent.get(`/beoordeling/aanvragen/${id}`).expect(200);
      await assertValidHtml(flagged.text, 'review page with a version in transition');
      assert.match(flagged.text, /data-code-version-standing="transition"/);
      assert.match(
        flagged.text,
        new RegExp(
          `In overgang: versie ${successor.label} is gepubliceerd; deze versie vervalt op \\d+ \\w+ \\d{4}`,
        ),
      );
    });
  });
});
