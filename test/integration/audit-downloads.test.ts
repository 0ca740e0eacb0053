import { actorOf } from '../../src/audit/actor';
import assert from 'node:assert/strict';
import request from 'supertest';
import { must } from '../../src/shared/must';
import { givenUser, type TestUser } from '../factories/user.factory';
import { auditTotal as totalOf, downloadBytes, readable } from '../helpers/audit-log';
import { useDemoRegister } from '../helpers/demo';
import { type Agent, signedIn } from '../helpers/session';

describe('who saw what: downloads are audit events', () => {
  const demo = useDemoRegister();
  let auditorUser: TestUser;
  let auditor: Agent;
  let evidence: { id: string; application: string; provider: string; sha256: string };
  let attestation: { id: string; number: string };

  /** The audit events with this action about this subject, oldest first. */
  const eventsAbout = (action: string, subjectId: string) =>
    demo.db.dataSource.query<{ actor: string; subject_type: string; data: Record<string, unknown> }[]>(
      `SELECT actor, subject_type, data FROM audit_events WHERE action = $1 AND subject_id = $2 ORDER BY id`,
      [action, subjectId],
    );
  const pdf = downloadBytes;

  before(async () => {
    auditorUser = await givenUser(demo.db.dataSource, 'auditor');
    auditor = await signedIn(demo.app, auditorUser);
    const [row] = await demo.db.dataSource.query<(typeof evidence)[]>(
      `SELECT ev.id::text AS id, a.id::text AS application, a.provider_id::text AS provider, ev.sha256
         FROM evidence ev JOIN applications a ON a.id = ev.application_id ORDER BY ev.id LIMIT 1`,
    );
    evidence = must(row, 'the demo has an application with evidence');
    const [issued] = await demo.db.dataSource.query<(typeof attestation)[]>(
      `SELECT id::text AS id, number FROM attestations ORDER BY number LIMIT 1`,
    );
    attestation = must(issued, 'the demo has attestations');
  });

  it('records a staff download of evidence, and a provider user downloading its own', async () => {
    const url = `/aanvragen/${evidence.application}/bewijsstukken/${evidence.id}`;
    const staff = await pdf(auditor, url).expect(200);
    assert.equal((staff.body as Buffer).subarray(0, 5).toString(), '%PDF-');
    const [seen] = await eventsAbout('evidence.downloaded', evidence.id);
    assert.equal(seen?.actor, actorOf(auditorUser.user));
    assert.equal(seen?.subject_type, 'evidence');
    assert.equal(seen?.data.applicationId, evidence.application);
    assert.equal(seen?.data.sha256, evidence.sha256);

    const own = await givenUser(demo.db.dataSource, 'provider', { providerId: evidence.provider });
    await pdf(await signedIn(demo.app, own), url).expect(200);
    const after = await eventsAbout('evidence.downloaded', evidence.id);
    assert.deepEqual(
      after.map((e) => e.actor),
      [actorOf(auditorUser.user), actorOf(own.user)],
    );

    // The auditor finds it under the provider's KvK number, named as the provider's evidence.
    const [provider] = await demo.db.dataSource.query<{ kvk_number: string }[]>(
      'SELECT kvk_number FROM providers WHERE id = $1',
      [evidence.provider],
    );
    const log = await auditor.get(
      `/beheer/auditlog?kvkNummer=${must(provider, 'the provider').kvk_number}&actie=evidence.downloaded`,
    );
    assert.equal(totalOf(log.text), 2);
    assert.match(readable(log.text), /Bewijsstuk gedownload/);
    assert.match(readable(log.text), /bewijsstuk van [A-Z]/);
  });

  it('records a staff download of an attestation PDF, not an anonymous one (the PDF is public)', async () => {
    const url = `/verificatie/${attestation.number}/pdf`;
    await pdf(request(demo.app), url).expect(200);
    assert.deepEqual(await eventsAbout('attestation.downloaded', attestation.id), []);
    await pdf(auditor, url).expect(200);
    const seen = await eventsAbout('attestation.downloaded', attestation.id);
    assert.deepEqual(
      seen.map((e) => [e.actor, e.subject_type, e.data.number]),
      [[actorOf(auditorUser.user), 'attestation', attestation.number]],
    );
  });

  it('serves no file and no chain answer when its audit event cannot be written', async () => {
    // An insider's trigger refuses download events: the read and its event are one transaction.
    await demo.db.asOwner(`CREATE FUNCTION refuse_downloads() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action LIKE '%.downloaded' OR NEW.action IN ('audit.exported', 'audit.verified') THEN
        RAISE EXCEPTION 'audit log refuses this event'; END IF; RETURN NEW; END $$`);
    await demo.db.asOwner(
      'CREATE TRIGGER refuse_downloads BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_downloads()',
    );
    try {
      const evidenceAnswer = await pdf(
        auditor,
        `/aanvragen/${evidence.application}/bewijsstukken/${evidence.id}`,
      );
      const attestationAnswer = await pdf(auditor, `/verificatie/${attestation.number}/pdf`);
      const exportAnswer = await pdf(auditor, '/beheer/auditlog.jsonl');
      const checkAnswer = await auditor.get('/beheer/auditlog/controle');
      assert.equal(checkAnswer.status, 500);
      assert.doesNotMatch(checkAnswer.text, /data-chain=/, 'no answer without its record');
      for (const answer of [evidenceAnswer, attestationAnswer, exportAnswer]) {
        assert.equal(answer.status, 500);
        assert.doesNotMatch(String(answer.headers['content-type']), /pdf|jsonl/);
        assert.ok(!(answer.body as Buffer).includes('%PDF-'), 'no PDF bytes');
        assert.equal(answer.headers['content-disposition'], undefined, 'no attachment');
      }
    } finally {
      await demo.db.asOwner('DROP TRIGGER refuse_downloads ON audit_events');
      await demo.db.asOwner('DROP FUNCTION refuse_downloads()');
    }
  });

  it('refuses a recorded download that another site started, writing nothing in anyone’s name', async () => {
    const [provider] = await demo.db.dataSource.query<{ kvk_number: string }[]>(
      'SELECT kvk_number FROM providers WHERE id = $1',
      [evidence.provider],
    );
    const recorded = async () =>
      Number(
        must(
          (
            await demo.db.dataSource.query<{ n: number }[]>(
              `SELECT count(*)::int AS n FROM audit_events
              WHERE action IN ('evidence.downloaded', 'provider.dossier_exported', 'audit.exported', 'audit.verified')`,
            )
          )[0],
          'a count',
        ).n,
      );
    const before = await recorded();
    for (const url of [
      `/aanvragen/${evidence.application}/bewijsstukken/${evidence.id}`,
      `/beoordeling/hostingproviders/${must(provider, 'the provider').kvk_number}/dossier`,
      '/beheer/auditlog.csv',
      '/beheer/auditlog.jsonl',
      '/beheer/auditlog/controle',
    ]) {
      // A link on another site, followed in the signed-in auditor's browser (SameSite=Lax sends the cookie).
      await auditor
        .get(url)
        .set('Sec-Fetch-Site', 'cross-site')
        .set('Sec-Fetch-Mode', 'navigate')
        .expect(403);
      await auditor.get(url).set('Origin', 'https://elders.example').expect(403);
    }
    assert.equal(await recorded(), before, 'no download, export or check recorded');
    // From the register's own pages it works as before.
    await pdf(auditor, `/aanvragen/${evidence.application}/bewijsstukken/${evidence.id}`)
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(200);
  });
});
