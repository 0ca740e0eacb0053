import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiKey } from '../../src/api-keys/api-key.service';
import { erasePersonalData } from '../../src/identity/personal-data-erasure.service';
import { currentTotp } from '../../src/identity/totp';
import { translate } from '../../src/shared/i18n';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { User } from '../../src/identity/user.entity';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, submitForm } from '../helpers/session';
import { givenUser, TEST_PASSWORD } from '../factories/user.factory';
import { givenSignalSupplier } from '../factories/signal.factory';
import { uniqueKvk } from '../factories/provider.factory';

describe('signal suppliers (administrators, issue 19)', () => {
  const context = useTestApp();
  let admin: Agent;
  before(async () => {
    admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
  });
  const post = (page: string, action: string, fields: Record<string, string>) =>
    submitForm(admin, page, action, fields);
  const auditOf = (subjectId: string) =>
    context.db.dataSource.query<{ action: string; data: Record<string, unknown> }[]>(
      `SELECT action, data FROM audit_events WHERE subject_id = $1 ORDER BY id`,
      [subjectId],
    );

  it('adds an organisation, lists it, renames it; each change audited', async () => {
    const name = `Politie Oost ${uniqueKvk()}`;
    const created = await post('/beheer/signaalleveranciers', '/beheer/signaalleveranciers', {
      signalSupplierName: name,
    });
    assert.equal(created.status, 303);
    const url = created.headers.location as string;
    assert.match(url, /^\/beheer\/signaalleveranciers\/[0-9a-f-]{36}$/);
    const id = url.split('/').pop()!;
    const list = await admin.get('/beheer/signaalleveranciers');
    assert.match(list.text, new RegExp(`data-signal-supplier="${id}"`));
    await assertValidHtml(list.text, 'signal suppliers');
    const renamed = await post(url, url, { signalSupplierName: `${name} (Team High Tech Crime)` });
    assert.equal(renamed.status, 303);
    const page = await admin.get(url);
    assert.match(page.text, /data-signal-supplier-name>Politie Oost \d+ \(Team High Tech Crime\)</);
    await assertValidHtml(page.text, 'signal supplier');
    assert.deepEqual(
      (await auditOf(id)).map((e) => e.action),
      ['signal_supplier.created', 'signal_supplier.renamed'],
    );
  });

  it('refuses an empty or taken name with a message, keeping what was typed', async () => {
    const taken = await givenSignalSupplier(context.db.dataSource);
    const empty = await post('/beheer/signaalleveranciers', '/beheer/signaalleveranciers', {
      signalSupplierName: '  ',
    });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /field-signalSupplierName/);
    const twice = await post('/beheer/signaalleveranciers', '/beheer/signaalleveranciers', {
      signalSupplierName: taken.name,
    });
    assert.equal(twice.status, 400);
    assert.match(twice.text, /een andere organisatie heeft deze naam al/);
    assert.ok(twice.text.includes(`value="${taken.name}"`));
  });

  it('answers 404 for an unknown organisation', async () => {
    assert.equal(
      (await admin.get('/beheer/signaalleveranciers/00000000-0000-0000-0000-000000000000')).status,
      404,
    );
    assert.equal((await admin.get('/beheer/signaalleveranciers/geen-id')).status, 404);
  });

  it('invites a person by mail; accepting makes a signal supplier of that organisation, who must set up the second factor and lands on the signals', async () => {
    // A name with what HTML would escape and what a template would read: the mail is text, it stands as typed.
    const supplierName = `Politie & "Team" <Oost> {organisation} $& ${uniqueKvk()}`;
    const supplier = await givenSignalSupplier(context.db.dataSource, supplierName);
    const address = `rechercheur-${uniqueKvk()}@politie.example`;
    const page = `/beheer/signaalleveranciers/${supplier.id}`;
    const invited = await post(page, `${page}/uitnodigen`, { email: address });
    assert.equal(invited.status, 303);
    assert.match(
      (await admin.get(page)).text,
      new RegExp(`data-invitation="${address.replace(/\./g, '\\.')}"`),
    );
    const [mail] = await context.db.dataSource
      .getRepository(OutboxMail)
      .find({ where: { recipient: address }, order: { id: 'DESC' }, take: 1 });
    // The mail names the organisation the person will act for, in both languages, as it is named.
    const [dutch, english] = mail!.body.split('\n\n---\n\n');
    assert.ok(dutch!.includes(`signaalleverancier namens ${supplierName}:`), dutch);
    assert.ok(english!.includes(`signal supplier on behalf of ${supplierName}:`), english);
    assert.ok(mail!.subject.includes(`namens ${supplierName} voor`), mail!.subject);
    assert.doesNotMatch(mail!.body, /&amp;|&lt;|&quot;/);
    const link = /http:\/\/register\.test(\/uitnodiging\/[^\s]+)/.exec(mail!.body)?.[1];
    assert.ok(link, 'the person is mailed a link');
    const person = request.agent(context.app);
    const accept = await submitForm(person, link, link, {
      name: 'Rita Rechercheur',
      password: TEST_PASSWORD,
      passwordConfirmation: TEST_PASSWORD,
    });
    assert.equal(accept.status, 303);
    const user = await context.db.dataSource.getRepository(User).findOneByOrFail({ email: address });
    assert.equal(user.role, 'signal_supplier');
    assert.equal(user.signalSupplierId, supplier.id);
    // The staff rule: no signals before the second factor is set up.
    const signals = await person.get('/signalen');
    assert.equal(signals.status, 303);
    assert.equal(signals.headers.location, '/account/tweestapsverificatie');
    assert.deepEqual(
      (await auditOf(supplier.id)).map((e) => e.action),
      ['signal_supplier.person_invited'],
    );
    // The staff page does not list the organisation's invitation as a staff invitation.
    assert.doesNotMatch(
      (await admin.get('/beheer/medewerkers')).text,
      new RegExp(address.replace(/\./g, '\\.')),
    );
  });

  it('refuses to invite an address that has an account, with a message', async () => {
    const supplier = await givenSignalSupplier(context.db.dataSource);
    const existing = await givenUser(context.db.dataSource, 'reviewer');
    const page = `/beheer/signaalleveranciers/${supplier.id}`;
    const res = await post(page, `${page}/uitnodigen`, { email: existing.email });
    assert.equal(res.status, 400);
    assert.ok(res.text.includes(`value="${existing.email}"`));
  });

  it('a signal supplier lands on /signalen after login, and the account page names the organisation', async () => {
    const supplier = await givenSignalSupplier(context.db.dataSource);
    const who = await givenUser(context.db.dataSource, 'signal_supplier', { signalSupplierId: supplier.id });
    const agent = request.agent(context.app);
    const login = await submitForm(agent, '/inloggen', '/inloggen', {
      email: who.email,
      password: who.password,
    });
    assert.equal(login.headers.location, '/inloggen/tweestaps');
    await who.forgetTotpStep?.();
    const second = await submitForm(agent, '/inloggen/tweestaps', '/inloggen/tweestaps', {
      code: currentTotp(who.totpSecret!, who.email, new Date()),
    });
    assert.equal(second.status, 303);
    assert.equal(second.headers.location, '/signalen');
    const account = await agent.get('/account');
    assert.equal(account.status, 200);
    assert.ok(account.text.includes(supplier.name));
    assert.match(account.text, /href="\/signalen"/);
    await assertValidHtml(account.text, 'signal supplier account');
  });

  it('disables a person (their sessions end at once) and enables them again, audited', async () => {
    const who = await givenUser(context.db.dataSource, 'signal_supplier');
    const agent = await signedIn(context.app, who);
    assert.equal((await agent.get('/signalen')).status, 200);
    const page = `/beheer/signaalleveranciers/${who.user.signalSupplierId}`;
    const status = `/beheer/signaalleveranciers/personen/${who.user.id}/status`;
    assert.equal((await post(page, status, { action: 'disable' })).status, 303);
    assert.equal((await agent.get('/signalen')).status, 303, 'signed out');
    assert.match((await admin.get(page)).text, /data-disabled="yes"/);
    assert.equal((await post(page, status, { action: 'enable' })).status, 303);
    assert.deepEqual(
      (await auditOf(who.user.id)).map((e) => e.action).filter((a) => a.startsWith('signal_supplier.')),
      ['signal_supplier.person_disabled', 'signal_supplier.person_enabled'],
    );
    // Another role's account is no signal supplier person: not found.
    const reviewer = await givenUser(context.db.dataSource, 'reviewer');
    const other = await post(page, `/beheer/signaalleveranciers/personen/${reviewer.user.id}/status`, {
      action: 'disable',
    });
    assert.equal(other.status, 404);
  });

  it('never enables an erased person again: their organisation’s page says why, and they stay disabled', async () => {
    const who = await givenUser(context.db.dataSource, 'signal_supplier');
    await erasePersonalData(context.db.dataSource, { userId: who.user.id }, 'test', new Date());
    const page = `/beheer/signaalleveranciers/${who.user.signalSupplierId}`;
    const status = `/beheer/signaalleveranciers/personen/${who.user.id}/status`;
    const refused = await post(page, status, { action: 'enable' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /href="#mensen"/);
    assert.ok(refused.text.includes(translate('nl', 'erasure.cannotEnable')));
    await assertValidHtml(refused.text, 'refused enable');
    const [row] = await context.db.dataSource.query<{ disabled_at: Date | null }[]>(
      `SELECT disabled_at FROM users WHERE id = $1`,
      [who.user.id],
    );
    assert.ok(row!.disabled_at, 'still disabled');
    assert.ok(!(await auditOf(who.user.id)).some((e) => e.action === 'signal_supplier.person_enabled'));
  });

  /** A supplier with two people (one disabled by the administrator one by one) and two keys (one revoked). */
  async function givenStaffedSupplier() {
    const supplier = await givenSignalSupplier(context.db.dataSource);
    const active = await givenUser(context.db.dataSource, 'signal_supplier', {
      signalSupplierId: supplier.id,
    });
    const gone = await givenUser(context.db.dataSource, 'signal_supplier', { signalSupplierId: supplier.id });
    const by = (userId: string) => ({
      organisationId: supplier.id,
      userId,
      actor: `signal_supplier:${userId}`,
      owner: 'signal_supplier' as const,
    });
    const kept = await createApiKey(context.db.dataSource, by(active.user.id), 'Politiesysteem', new Date());
    const old = await createApiKey(context.db.dataSource, by(active.user.id), 'Oud systeem', new Date());
    return { supplier, active, gone, kept, old, page: `/beheer/signaalleveranciers/${supplier.id}` };
  }

  it('shows the organisation’s API keys and revokes one after a confirmation, audited in one go (F22)', async () => {
    const { supplier, kept, old, page } = await givenStaffedSupplier();
    const shown = await admin.get(page);
    assert.equal(shown.status, 200);
    assert.match(shown.text, new RegExp(`data-api-key-prefix="${kept.apiKey.prefix}" data-revoked="no"`));
    assert.match(shown.text, new RegExp(`data-api-key-prefix="${old.apiKey.prefix}" data-revoked="no"`));
    assert.ok(!shown.text.includes(old.key), 'never the key itself');
    await assertValidHtml(shown.text, 'signal supplier with keys');
    const revokeUrl = `${page}/api-sleutels/${old.apiKey.id}/intrekken`;
    const confirm = await admin.get(revokeUrl);
    assert.equal(confirm.status, 200);
    assert.ok(confirm.text.includes(`vhpk_${old.apiKey.prefix}_`));
    const revoked = await post(revokeUrl, revokeUrl, {});
    assert.equal(revoked.status, 303);
    assert.equal(revoked.headers.location, `${page}?gewijzigd=ingetrokken`);
    const after = await admin.get(revoked.headers.location);
    assert.match(after.text, new RegExp(`data-api-key-prefix="${old.apiKey.prefix}" data-revoked="yes"`));
    assert.match(after.text, /De sleutel is ingetrokken/);
    // The key no longer opens the API; the other one does.
    assert.equal((await request(context.app).get('/api/v1/signalen').set('X-Api-Key', old.key)).status, 401);
    assert.equal((await request(context.app).get('/api/v1/signalen').set('X-Api-Key', kept.key)).status, 200);
    const [event] = await auditOf(old.apiKey.id).then((events) =>
      events.filter((e) => e.action === 'api_key.revoked'),
    );
    // A police key's events get a confidential leaf, an administrator's revocation too (F18).
    assert.deepEqual(event!.data, {
      organisationId: supplier.id,
      prefix: old.apiKey.prefix,
      confidentialLeaf: true,
    });
    const [actor] = await context.db.dataSource.query<{ actor: string }[]>(
      `SELECT actor FROM audit_events WHERE action = 'api_key.revoked' AND subject_id = $1`,
      [old.apiKey.id],
    );
    assert.match(actor!.actor, /^admin:/);
    // A revoked key's page sends back; another organisation's key is not this one's to revoke.
    assert.equal((await admin.get(revokeUrl)).status, 303);
    const other = await givenStaffedSupplier();
    const foreign = `${page}/api-sleutels/${other.kept.apiKey.id}/intrekken`;
    assert.equal((await post(page, foreign, {})).status, 404);
    assert.equal(
      (await request(context.app).get('/api/v1/signalen').set('X-Api-Key', other.kept.key)).status,
      200,
    );
  });

  it('suspends an organisation: sessions end, nobody logs in (told why), keys refused; reinstating gives back what was not disabled or revoked one by one (F22)', async () => {
    const { supplier, active, gone, kept, old, page } = await givenStaffedSupplier();
    const session = await signedIn(context.app, active);
    assert.equal((await session.get('/signalen')).status, 200);
    const disabled = await post(page, `/beheer/signaalleveranciers/personen/${gone.user.id}/status`, {
      action: 'disable',
    });
    assert.equal(disabled.status, 303);
    const oldRevoke = `${page}/api-sleutels/${old.apiKey.id}/intrekken`;
    assert.equal((await post(oldRevoke, oldRevoke, {})).status, 303);

    const suspended = await post(page, `${page}/status`, { action: 'suspend' });
    assert.equal(suspended.status, 303);
    assert.equal(suspended.headers.location, `${page}?gewijzigd=geschorst`);
    const shown = await admin.get(suspended.headers.location);
    assert.match(shown.text, /data-supplier-suspended/);
    assert.match(shown.text, /De organisatie is geschorst/);
    await assertValidHtml(shown.text, 'suspended signal supplier');
    assert.match(
      (await admin.get('/beheer/signaalleveranciers')).text,
      new RegExp(`data-signal-supplier="${supplier.id}"[\\s\\S]*?data-suspended`),
    );
    // The session ended at once; logging in is refused with a clear message, in Dutch and English.
    assert.equal((await session.get('/signalen')).status, 303);
    const login = await submitForm(request.agent(context.app), '/inloggen', '/inloggen', {
      email: active.email,
      password: active.password,
    });
    assert.equal(login.status, 400);
    assert.match(login.text, /heeft uw organisatie geschorst/);
    assert.ok(login.text.includes(`value="${active.email}"`), 'the address typed is kept');
    const english = request.agent(context.app);
    await english.get('/inloggen?lang=en');
    const loginEn = await submitForm(english, '/inloggen', '/inloggen', {
      email: active.email,
      password: active.password,
    });
    assert.equal(loginEn.status, 400);
    assert.match(loginEn.text, /has suspended your organisation/);
    // Keys: refused while suspended.
    assert.equal((await request(context.app).get('/api/v1/signalen').set('X-Api-Key', kept.key)).status, 403);
    // Twice changes nothing (one audit event).
    assert.equal((await post(page, `${page}/status`, { action: 'suspend' })).status, 303);

    const reinstated = await post(page, `${page}/status`, { action: 'reinstate' });
    assert.equal(reinstated.status, 303);
    assert.equal(reinstated.headers.location, `${page}?gewijzigd=hersteld`);
    assert.doesNotMatch((await admin.get(page)).text, /data-supplier-suspended/);
    assert.equal((await request(context.app).get('/api/v1/signalen').set('X-Api-Key', kept.key)).status, 200);
    assert.equal((await request(context.app).get('/api/v1/signalen').set('X-Api-Key', old.key)).status, 401);
    const again = await signedIn(context.app, active);
    assert.equal((await again.get('/signalen')).status, 200);
    const goneLogin = await submitForm(request.agent(context.app), '/inloggen', '/inloggen', {
      email: gone.email,
      password: gone.password,
    });
    assert.equal(goneLogin.status, 400, 'the person disabled one by one stays disabled');
    assert.match(goneLogin.text, /De combinatie van e-mailadres en wachtwoord is onjuist/);

    const events = (await auditOf(supplier.id)).filter((e) => /suspended|reinstated/.test(e.action));
    assert.deepEqual(
      events.map((e) => [e.action, e.data]),
      [
        ['signal_supplier.suspended', { activePeople: 1, activeKeys: 1 }],
        ['signal_supplier.reinstated', { activePeople: 1, activeKeys: 1 }],
      ],
    );
  });

  it('refuses an unknown suspension action with a message, and answers 404 for an unknown organisation (F22)', async () => {
    const { page } = await givenStaffedSupplier();
    const wrong = await post(page, `${page}/status`, { action: 'delete' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /Kies schorsen of de schorsing opheffen/);
    assert.match(wrong.text, /href="#schorsing"/);
    await assertValidHtml(wrong.text, 'unknown suspension action');
    const unknown = '/beheer/signaalleveranciers/00000000-0000-0000-0000-000000000000';
    assert.equal((await post(page, `${unknown}/status`, { action: 'suspend' })).status, 404);
    assert.equal(
      (await post(page, '/beheer/signaalleveranciers/geen-id/status', { action: 'suspend' })).status,
      404,
    );
  });
});
