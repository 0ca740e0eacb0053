import { actorOf, personOfActor } from '../../src/audit/actor';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { AUDIT_ACTION_GROUPS } from '../../src/audit-browser/audit-actions';
import { type ChainLink, checkLinks, GENESIS_HASH } from '../../src/audit/audit-chain';
import { verifyAuditChain, verifyAuditChainIncrementally } from '../../src/audit/audit.service';
import { toLocalDate } from '../../src/shared/time';
import { givenProvider, givenStatusEvent } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { auditIds as ids, auditTotal as totalOf, downloadText as text, readable } from '../helpers/audit-log';
import { useDemoRegister } from '../helpers/demo';
import { tamperWithAuditLog } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn } from '../helpers/session';
import { must } from '../../src/shared/must';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('the audit log for auditors', () => {
  const demo = useDemoRegister();
  let auditor: Agent;
  let auditorUser: TestUser;
  const count = async (sql: string, params: unknown[] = []) => {
    const [row] = await demo.db.dataSource.query<{ n: number }[]>(sql, params);
    return must(row, 'a count gives one row').n;
  };

  before(async () => {
    auditorUser = await givenUser(demo.db.dataSource, 'auditor', { name: 'Astrid Auditor' });
    auditor = await signedIn(demo.app, auditorUser);
  });

  it('lists every event newest first, pages, and filters by actor, action and date, whatever the case', async () => {
    const all = await auditor.get('/beheer/auditlog');
    assert.equal(all.status, 200);
    assert.equal(totalOf(all.text), await count('SELECT count(*)::int AS n FROM audit_events'));
    const page = ids(all.text);
    assert.equal(page.length, 50);
    assert.deepEqual(
      page,
      [...page].sort((a, b) => b - a),
    );
    assert.match(all.text, /rel="next" href="\/beheer\/auditlog\?page(=|&#x3D;)2"/);
    await assertValidHtml(all.text, 'audit log');

    const issued = await auditor.get('/beheer/auditlog?actie=attestation.issued');
    const actions = [...issued.text.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]);
    const issuedCount = await count(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'attestation.issued'`,
    );
    assert.ok(issuedCount > 0, 'the demo issues attestations');
    assert.equal(actions.length, issuedCount);
    assert.ok(actions.every((a) => a === 'attestation.issued'));
    assert.match(issued.text, /href="\/verificatie\/VHP-\d{4}-\d{6}"/, 'one click to the attestation');
    // Upper case finds the same: the action, the actor and the kind of subject.
    const [first] = await demo.db.dataSource.query<{ actor: string }[]>(
      `SELECT actor FROM audit_events WHERE action = 'attestation.issued' ORDER BY id LIMIT 1`,
    );
    const actor = must(first, 'an attestation was issued').actor;
    const quiet = await auditor.get(
      `/beheer/auditlog?actie=attestation.issued&door=${encodeURIComponent(actor)}&soort=attestation`,
    );
    const shouted = await auditor.get(
      `/beheer/auditlog?actie=ATTESTATION.Issued&door=${encodeURIComponent(actor.toUpperCase())}&soort=Attestation`,
    );
    assert.equal(shouted.status, 200);
    assert.ok(ids(quiet.text).length > 0);
    assert.deepEqual(ids(shouted.text), ids(quiet.text));
    assert.match(
      shouted.text,
      /<option value="ATTESTATION.Issued" selected>/,
      'the form keeps what was asked',
    );

    // The demo's suspensions are decided by its named reviewers.
    const statusByDemo = await auditor.get(
      '/beheer/auditlog?door=beoordelaar%40register.example&actie=status.suspended',
    );
    assert.match(
      statusByDemo.text,
      /href="\/beoordeling\/hostingproviders\/\d{8}"/,
      'one click to the provider',
    );

    const today = toLocalDate(new Date());
    const none = await auditor.get(`/beheer/auditlog?van=${today}&tot=${today}&door=nobody-at-all`);
    assert.equal(totalOf(none.text), 0);
  });

  it('names actions in words in both languages, offers every known action, and names subjects instead of showing ids', async () => {
    const nl = await auditor.get('/beheer/auditlog?actie=application.');
    const options = [...nl.text.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    for (const action of Object.values(AUDIT_ACTION_GROUPS).flat())
      assert.ok(options.includes(action), `${action} can be chosen`);
    assert.match(nl.text, /<option value="application\." selected>Alle: Aanvragen<\/option>/);
    const actionCells = (html: string) =>
      [...html.matchAll(/<td class="utrecht-table__cell" data-action-name>([^<]*)<\/td>/g)].map((m) => m[1]);
    assert.ok(actionCells(nl.text).includes('Aanvraag ingediend'), 'the action in words');
    assert.ok(
      actionCells(nl.text).every((name) => name && !/^[a-z_]+\.[a-z_]+$/.test(name)),
      'no action codes',
    );
    assert.match(readable(nl.text), /aanvraag van [A-Z]/, 'an application is named after its provider');
    await assertValidHtml(nl.text, 'audit log, filtered by a group of actions');

    const en = await auditor.get('/beheer/auditlog?actie=application.&lang=en');
    assert.ok(actionCells(en.text).includes('Application submitted'));
    assert.match(readable(en.text), /application of [A-Z]/);
    await auditor.get('/beheer/auditlog?lang=nl');

    // Every subject cell names its subject; ids and the raw data stay folded away in the row's details.
    const all = await auditor.get('/beheer/auditlog');
    const subjects = [
      ...all.text.matchAll(/<td class="utrecht-table__cell" data-subject>([\s\S]*?)<\/td>/g),
    ].map((m) => m[1] ?? '');
    assert.equal(subjects.length, 50);
    for (const subject of subjects) assert.doesNotMatch(readable(subject), UUID, subject);
    assert.equal([...all.text.matchAll(/<details class="register-audit-details">/g)].length, 50);
    assert.doesNotMatch(all.text, /<code class="register-audit-data">\{/, 'no raw JSON column');
    // An AAN import is named by the day it was imported, in words.
    const imports = await auditor.get('/beheer/auditlog?actie=aan.imported');
    assert.ok(totalOf(imports.text) > 0, 'the demo imports AAN lists');
    assert.match(readable(imports.text), /AAN-deelnemerslijst, geïmporteerd op \d{1,2} [a-z]+ \d{4}/);
    // A staff member who acted is named, with the e-mail address under the name.
    await auditor.get('/beheer/auditlog/controle');
    const byAuditor = await auditor.get(`/beheer/auditlog?door=${encodeURIComponent(auditorUser.email)}`);
    assert.match(readable(byAuditor.text), /Astrid Auditor/);
  });

  it('filters by KvK number: the provider, its applications, evidence and attestations', async () => {
    // The demo provider with an attestation and a submitted application, whichever that is.
    const [provider] = await demo.db.dataSource.query<{ id: string; kvk_number: string }[]>(
      `SELECT p.id::text AS id, p.kvk_number FROM providers p
        WHERE EXISTS (SELECT 1 FROM attestations t WHERE t.provider_id = p.id)
        ORDER BY p.kvk_number LIMIT 1`,
    );
    const { id, kvk_number: kvk } = must(provider, 'the demo has a provider with an attestation');
    const expected = await count(
      `SELECT count(*)::int AS n FROM audit_events e
        WHERE (e.subject_type = 'provider' AND e.subject_id = $1)
           OR (e.subject_type = 'application' AND e.subject_id IN (SELECT id::text FROM applications WHERE provider_id = $1::uuid))
           OR (e.subject_type = 'attestation' AND e.subject_id IN (SELECT id::text FROM attestations WHERE provider_id = $1::uuid))
           OR (e.subject_type = 'evidence' AND e.subject_id IN (SELECT ev.id::text FROM evidence ev JOIN applications a ON a.id = ev.application_id WHERE a.provider_id = $1::uuid))
           OR (e.subject_type = 'user' AND e.subject_id IN (SELECT id::text FROM users WHERE provider_id = $1::uuid AND role = 'provider'))`,
      [id],
    );
    const page = await auditor.get(`/beheer/auditlog?kvkNummer=${kvk.slice(0, 4)}%20${kvk.slice(4)}`);
    assert.equal(page.status, 200);
    assert.equal(totalOf(page.text), expected);
    const actions = new Set([...page.text.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]));
    assert.ok(actions.has('attestation.issued'), 'its attestation');
    assert.ok(
      [...actions].some((a) => a?.startsWith('status.')),
      'its status changes',
    );
    assert.ok(
      totalOf(page.text) < (await count('SELECT count(*)::int AS n FROM audit_events')),
      'not everything',
    );

    // An application and its evidence count as the provider's too.
    const [applicant] = await demo.db.dataSource.query<{ kvk_number: string; application: string }[]>(
      `SELECT p.kvk_number, a.id::text AS application FROM applications a JOIN providers p ON p.id = a.provider_id LIMIT 1`,
    );
    const { kvk_number: applicantKvk, application } = must(applicant, 'the demo has an application');
    const ofApplicant = await auditor.get(`/beheer/auditlog?kvkNummer=${applicantKvk}&soort=application`);
    assert.ok(totalOf(ofApplicant.text) > 0);
    assert.match(ofApplicant.text, new RegExp(`href="/beoordeling/aanvragen/${application}"`));

    const unknown = await auditor.get('/beheer/auditlog?kvkNummer=99999999');
    assert.equal(unknown.status, 200);
    assert.equal(totalOf(unknown.text), 0);
    assert.match(unknown.text, /data-provider-found="false"/);

    const wrong = await auditor.get('/beheer/auditlog?kvkNummer=1234');
    assert.equal(wrong.status, 400);
    assert.deepEqual(ids(wrong.text), []);
    assert.match(wrong.text, /een KvK-nummer bestaat uit 8 cijfers/);
    assert.match(wrong.text, /value="1234"/);
  });

  it('filters status changes by the day they take effect as well as the day they were recorded', async () => {
    // A suspension recorded today that took effect on 15 March (a correction after the fact).
    const provider = await givenProvider(demo.db.dataSource);
    await givenStatusEvent(demo.db.dataSource, {
      providerId: provider.id,
      kind: 'suspended',
      effectiveAt: new Date('2026-03-15T10:00:00Z'),
      reason: 'Achteraf vastgelegd',
    });
    const [event] = await demo.db.dataSource.query<{ id: string }[]>(
      `SELECT id::text AS id FROM audit_events WHERE action = 'status.suspended' AND subject_id = $1`,
      [provider.id],
    );
    const id = Number(must(event, 'the suspension is in the log').id);
    const kvk = provider.kvkNumber;
    const byEffect = await auditor.get(
      `/beheer/auditlog?kvkNummer=${kvk}&ingangVan=2026-03-15&ingangTot=2026-03-15&actie=status.`,
    );
    assert.equal(byEffect.status, 200);
    assert.deepEqual(ids(byEffect.text), [id], 'found on the day it takes effect');
    assert.match(byEffect.text, /data-effective/, 'the row says when it takes effect');
    const dayAfter = await auditor.get(`/beheer/auditlog?kvkNummer=${kvk}&ingangVan=2026-03-16`);
    assert.ok(!ids(dayAfter.text).includes(id), 'not after the day it takes effect');
    const byRecord = await auditor.get(`/beheer/auditlog?kvkNummer=${kvk}&van=2026-03-15&tot=2026-03-15`);
    assert.deepEqual(ids(byRecord.text), [], 'not recorded on that day');
    const today = toLocalDate(new Date());
    const recordedToday = await auditor.get(`/beheer/auditlog?kvkNummer=${kvk}&van=${today}&tot=${today}`);
    assert.ok(ids(recordedToday.text).includes(id), 'recorded today');
  });

  it('refuses a malformed date or a from date after the to date with the form and no results', async () => {
    const wrong = await auditor.get('/beheer/auditlog?van=2026-02-30&door=seed');
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /value="2026-02-30"/);
    assert.match(wrong.text, /value="seed"/);
    assert.match(wrong.text, /vul een bestaande datum in: dag, maand en jaar/);
    assert.deepEqual(ids(wrong.text), [], 'no results, not all results');
    assert.doesNotMatch(wrong.text, /data-total=/);
    await assertValidHtml(wrong.text, 'audit log with an error');

    const reversed = await auditor.get('/beheer/auditlog?ingangVan=2026-03-01&ingangTot=2026-02-01');
    assert.equal(reversed.status, 400);
    assert.match(reversed.text, /deze datum ligt vóór de vanaf-datum/);
    assert.deepEqual(ids(reversed.text), []);
    const english = await auditor.get('/beheer/auditlog?van=2026-03-01&tot=2026-02-01&lang=en');
    assert.match(english.text, /this date lies before the from date/);
    await auditor.get('/beheer/auditlog?lang=nl');

    // The exports too: a mistake is the page with the mistake, never the whole log as a file.
    const exported = await auditor.get('/beheer/auditlog.jsonl?tot=gisteren');
    assert.equal(exported.status, 400);
    assert.match(String(exported.headers['content-type']), /^text\/html/);
  });

  it('refuses a filter given twice, on the page and both exports, keeping the first value', async () => {
    const before = await count(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'audit.exported'`);
    const dates = await auditor.get('/beheer/auditlog?van=2026-01-01&van=2026-02-01');
    assert.equal(dates.status, 400);
    assert.match(dates.text, /geef deze datum maar één keer/);
    assert.match(dates.text, /value="2026-01-01"/);
    assert.deepEqual(ids(dates.text), [], 'no results, not all results');
    await assertValidHtml(dates.text, 'audit log with a repeated filter');
    for (const path of ['/beheer/auditlog.csv', '/beheer/auditlog.jsonl', '/beheer/auditlog']) {
      for (const field of [
        'kvkNummer=99990004&kvkNummer=99990001',
        'actie=user.&actie=status.',
        'door=a&door=b',
      ]) {
        const res = await auditor.get(`${path}?${field}`);
        assert.equal(res.status, 400, `${path}?${field}`);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.match(res.text, /geef dit filter maar één keer/);
      }
    }
    const english = await auditor.get('/beheer/auditlog?soort=user&soort=provider&lang=en');
    assert.match(english.text, /give this filter only once/);
    await auditor.get('/beheer/auditlog?lang=nl');
    const after = await count(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'audit.exported'`);
    assert.equal(after, before, 'a refused export is no export');
  });

  it('exports the events found as CSV for Dutch Excel and as JSON Lines to verify, and records who exported what', async () => {
    const before = await count(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'audit.exported'`);
    const csv = await text(auditor, '/beheer/auditlog.csv?actie=attestation.issued').expect(200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const body = csv.body as string;
    assert.ok(
      body.startsWith('\uFEFFid;tijdstip;door;door_naam;actie;actie_omschrijving;'),
      'a byte order mark, then Dutch headers',
    );
    assert.ok(body.includes('\r\n') && !/[^\r]\n/.test(body), 'CRLF line ends');
    const rows = parse<Record<string, string>>(body, { columns: true, delimiter: ';', bom: true });
    assert.equal(
      rows.length,
      await count(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'attestation.issued'`),
    );
    assert.ok(rows.every((r) => r.actie === 'attestation.issued' && /^[0-9a-f]{64}$/.test(r.hash ?? '')));
    // For people in Excel: the action in words next to its code, the time on Amsterdam's clock with its offset.
    assert.ok(rows.every((r) => r.actie_omschrijving === 'Verklaring afgegeven'));
    // Beside `<role>:<user id>`, the person's name and role in words.
    const byPeople = rows.filter((r) => personOfActor(r.door ?? ''));
    assert.ok(byPeople.length > 0, 'attestations issued by people');
    assert.ok(
      byPeople.every((r) =>
        /^.+ \((hostingprovider|beoordelaar|auditor|beheerder)\)$/.test(r.door_naam ?? ''),
      ),
      JSON.stringify(byPeople.slice(0, 3)),
    );
    const [first] = await demo.db.dataSource.query<{ occurred_at: Date }[]>(
      `SELECT occurred_at FROM audit_events WHERE id = $1`,
      [rows[0]!.id],
    );
    assert.match(rows[0]!.tijdstip ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$/);
    assert.equal(
      new Date(rows[0]!.tijdstip!).getTime(),
      Math.floor(first!.occurred_at.getTime() / 1000) * 1000,
    );
    assert.deepEqual(
      rows.map((r) => Number(r.id)),
      rows.map((r) => Number(r.id)).sort((a, b) => a - b),
    );

    // The whole log as JSON Lines: anyone can check the chain from the export alone.
    const jsonl = await text(auditor, '/beheer/auditlog.jsonl').expect(200);
    const links = (jsonl.body as string)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ChainLink & { occurredAt: string })
      .map((e) => ({ ...e, occurredAt: new Date(e.occurredAt) }));
    assert.equal(links.length, (await verifyAuditChain(demo.db.dataSource)).checked);
    assert.equal(checkLinks(links, GENESIS_HASH).broken, undefined);

    // Who saw what: both exports are events, with the filter, before the file went out (the JSON Lines holds its own).
    const exports = await demo.db.dataSource.query<
      { actor: string; data: { format: string; filter: object } }[]
    >(`SELECT actor, data FROM audit_events WHERE action = 'audit.exported' ORDER BY id`);
    assert.equal(exports.length, before + 2);
    const [csvEvent, jsonlEvent] = exports.slice(-2);
    assert.deepEqual(csvEvent, {
      actor: actorOf(auditorUser.user),
      data: { format: 'csv', filter: { actie: 'attestation.issued' } },
    });
    assert.equal(jsonlEvent?.data.format, 'jsonl');
    assert.equal(links.at(-1)?.action, 'audit.exported');

    // An export of one provider's events is about that provider: its own filter finds who saw them.
    const [provider] = await demo.db.dataSource.query<{ id: string; kvk_number: string }[]>(
      'SELECT id::text AS id, kvk_number FROM providers ORDER BY kvk_number LIMIT 1',
    );
    const { id, kvk_number: kvk } = must(provider, 'the demo has providers');
    await text(auditor, `/beheer/auditlog.jsonl?kvkNummer=${kvk}`).expect(200);
    const [aboutProvider] = await demo.db.dataSource.query<{ subject_type: string; subject_id: string }[]>(
      `SELECT subject_type, subject_id FROM audit_events WHERE action = 'audit.exported' ORDER BY id DESC LIMIT 1`,
    );
    assert.deepEqual(aboutProvider, { subject_type: 'provider', subject_id: id });
    const seen = await auditor.get(`/beheer/auditlog?kvkNummer=${kvk}&actie=audit.exported`);
    assert.equal(totalOf(seen.text), 1);

    // The CSV's headers and action words follow the page's language; the JSON Lines stays as stored.
    const english = await text(auditor, '/beheer/auditlog.csv?actie=attestation.issued&lang=en').expect(200);
    assert.ok(
      (english.body as string).startsWith('\uFEFFid;time;actor;actor_name;action;action_description;'),
    );
    assert.match(english.body as string, /;attestation\.issued;Attestation issued;/);
    await auditor.get('/beheer/auditlog?lang=nl');
  });

  it('verifies the chain, naming the head, the count and the time it took, and records the check', async () => {
    const [newest] = await demo.db.dataSource.query<{ id: string; hash: string; occurred_at: Date }[]>(
      `SELECT e.id::text AS id, e.hash, e.occurred_at FROM audit_events e ORDER BY e.id DESC LIMIT 1`,
    );
    const head = must(newest, 'the demo log has events');
    const intact = await auditor.get('/beheer/auditlog/controle');
    const cli = await verifyAuditChain(demo.db.dataSource);
    // The page checked everything up to the head; its own record of the check came after.
    assert.match(intact.text, new RegExp(`data-chain="intact" data-checked="${cli.checked - 1}"`));
    assert.match(intact.text, new RegExp(`data-head-id="${head.id}"`));
    assert.match(intact.text, new RegExp(`data-head-hash="${head.hash}"`));
    assert.match(intact.text, new RegExp(`<time datetime="${head.occurred_at.toISOString()}">`));
    assert.match(intact.text, /data-milliseconds="\d+"/);
    await assertValidHtml(intact.text, 'chain verification');
    const [check] = await demo.db.dataSource.query<
      { actor: string; subject_id: string; data: Record<string, unknown> }[]
    >(
      `SELECT actor, subject_id, data FROM audit_events WHERE action = 'audit.verified' ORDER BY id DESC LIMIT 1`,
    );
    assert.equal(check?.actor, actorOf(auditorUser.user));
    assert.equal(check?.subject_id, head.id);
    assert.equal(check?.data.intact, true);
    assert.equal(check?.data.headHash, head.hash);
    assert.equal(check?.data.checked, cli.checked - 1);
    // What the check vouched for, from which the next incremental audit:verify continues.
    const [vouched] = await demo.db.dataSource.query<Record<string, unknown>[]>(
      `SELECT verified_by, mode, head_event_id::text AS head, head_hash, event_count::int AS count
         FROM audit_verifications ORDER BY id DESC LIMIT 1`,
    );
    assert.deepEqual(vouched, {
      verified_by: actorOf(auditorUser.user),
      mode: 'full',
      head: head.id,
      head_hash: head.hash,
      count: cli.checked - 1,
    });
  });

  it('verifies a broken chain with the same answer as the command line', async () => {
    const [eleventh] = await demo.db.dataSource.query<{ id: string }[]>(
      `SELECT e.id::text AS id FROM audit_events e ORDER BY e.id LIMIT 1 OFFSET 10`,
    );
    const { id } = must(eleventh, 'the demo log has more than ten events');
    await tamperWithAuditLog(
      demo.db.dataSource,
      `UPDATE audit_events SET actor = 'someone else' WHERE id = $1`,
      [id],
    );
    const broken = await auditor.get('/beheer/auditlog/controle');
    const again = await verifyAuditChain(demo.db.dataSource);
    assert.equal(again.broken?.id, id);
    assert.match(broken.text, new RegExp(`data-chain="broken" data-broken-id="${id}"`));
    assert.match(broken.text, /is gewijzigd/);
    // The check records the break: the next incremental audit:verify fails on it, not "intact".
    const [found] = await demo.db.dataSource.query<Record<string, unknown>[]>(
      `SELECT verified_by, mode, broken_event_id::text AS "brokenAt", problem
         FROM audit_verifications ORDER BY id DESC LIMIT 1`,
    );
    assert.deepEqual(found, {
      verified_by: actorOf(auditorUser.user),
      mode: 'full',
      brokenAt: id,
      problem: 'content_mismatch',
    });
    const incremental = await verifyAuditChainIncrementally(demo.db.dataSource);
    assert.deepEqual(
      [incremental.broken?.id, incremental.recorded?.verifiedBy],
      [id, actorOf(auditorUser.user)],
    );
  });

  it('names the event an earlier check vouched for when the log was cut short before it', async () => {
    // From the eleventh event on (the one changed above): what is left is intact in itself, but
    // shorter than the intact check above vouched for.
    const [eleventh] = await demo.db.dataSource.query<{ id: string }[]>(
      `SELECT e.id::text AS id FROM audit_events e ORDER BY e.id LIMIT 1 OFFSET 10`,
    );
    const cutFrom = must(eleventh, 'the demo log has more than ten events').id;
    await tamperWithAuditLog(demo.db.dataSource, 'DELETE FROM audit_events WHERE id >= $1', [cutFrom]);
    const [vouched] = await demo.db.dataSource.query<{ id: string | null }[]>(
      'SELECT min(head_event_id)::text AS id FROM audit_verifications WHERE head_event_id >= $1',
      [cutFrom],
    );
    const id = must(vouched?.id ?? undefined, 'the intact check above was recorded');
    const cut = await auditor.get('/beheer/auditlog/controle');
    assert.match(cut.text, new RegExp(`data-chain="broken" data-broken-id="${id}"`));
    assert.match(cut.text, /het log is ingekort/);
    assert.match(cut.text, /data-checked-count="10"/);
  });

  it('is for auditors and administrators only', async () => {
    const reviewer = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'reviewer'));
    assert.equal((await reviewer.get('/beheer/auditlog')).status, 403);
    assert.equal((await request(demo.app).get('/beheer/auditlog.jsonl')).status, 303);
    const admin = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'admin'));
    assert.equal((await admin.get('/beheer/auditlog')).status, 200);
  });
});
