import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { type ChainLink, checkLinks, GENESIS_HASH } from '../../src/audit/audit-chain';
import { verifyAuditChain } from '../../src/audit/audit.service';
import { toLocalDate } from '../../src/shared/time';
import { givenUser } from '../factories/user.factory';
import { useDemoRegister } from '../helpers/demo';
import { tamperWithAuditLog } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn } from '../helpers/session';
import { must } from '../../src/shared/must';

/** A download as text, whatever its media type. */
const text = (agent: Agent, url: string) =>
  agent
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(null, body));
    });

describe('the audit log for auditors', () => {
  const demo = useDemoRegister();
  let auditor: Agent;

  before(async () => {
    auditor = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'auditor'));
  });

  it('lists every event newest first, pages, and filters by actor, action and date', async () => {
    const all = await auditor.get('/beheer/auditlog');
    assert.equal(all.status, 200);
    const total = Number(/data-total="(\d+)"/.exec(all.text)?.[1]);
    const [counted] = await demo.db.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM audit_events',
    );
    const { n } = must(counted, 'a count gives one row');
    assert.equal(total, n);
    const ids = [...all.text.matchAll(/data-audit-id="(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(ids.length, 50);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    assert.match(all.text, /rel="next" href="\/beheer\/auditlog\?page(=|&#x3D;)2"/);
    await assertValidHtml(all.text, 'audit log');

    const issued = await auditor.get('/beheer/auditlog?actie=attestation.issued');
    const actions = [...issued.text.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(actions.length, 5, 'the five demo attestations');
    assert.ok(actions.every((a) => a === 'attestation.issued'));
    assert.match(issued.text, /href="\/verificatie\/VHP-\d{4}-\d{6}"/, 'one click to the attestation');

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
    assert.match(none.text, /data-total="0"/);

    const wrong = await auditor.get('/beheer/auditlog?van=2026-02-30&door=seed');
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /value="2026-02-30"/);
    assert.match(wrong.text, /value="seed"/);
  });

  it('exports the events found as CSV and JSON Lines, in chain order, with what it takes to verify them', async () => {
    const csv = await text(auditor, '/beheer/auditlog.csv?actie=attestation.issued').expect(200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const rows = parse<Record<string, string>>(csv.body as string, { columns: true });
    assert.equal(rows.length, 5);
    assert.ok(rows.every((r) => r.action === 'attestation.issued' && /^[0-9a-f]{64}$/.test(r.hash ?? '')));
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
  });

  it('verifies the chain from the page with the same answer as the command line, also when it is broken', async () => {
    const intact = await auditor.get('/beheer/auditlog/controle');
    const cli = await verifyAuditChain(demo.db.dataSource);
    assert.match(intact.text, new RegExp(`data-chain="intact" data-checked="${cli.checked}"`));
    await assertValidHtml(intact.text, 'chain verification');

    const [eleventh] = await demo.db.dataSource.query<{ id: string }[]>(
      `SELECT id::text AS id FROM audit_events ORDER BY id LIMIT 1 OFFSET 10`,
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
  });

  it('is for auditors and administrators only', async () => {
    const reviewer = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'reviewer'));
    assert.equal((await reviewer.get('/beheer/auditlog')).status, 403);
    assert.equal((await request(demo.app).get('/beheer/auditlog.jsonl')).status, 303);
    const admin = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'admin'));
    assert.equal((await admin.get('/beheer/auditlog')).status, 200);
  });
});
