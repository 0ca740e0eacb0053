import assert from 'node:assert/strict';
import request from 'supertest';
import { User } from '../../src/identity/user.entity';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { IsNull } from 'typeorm';
import { AccountToken } from '../../src/identity/account-token.entity';
import { must } from '../../src/shared/must';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, TEST_PASSWORD } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn, submitForm, tokenFor } from '../helpers/session';

describe('staff accounts, managed by administrators', () => {
  const context = useTestApp();
  /** The invitation events of an address: the address is kept beside the log, not in the event. */
  const invitationEventsTo = (address: string) =>
    context.db.dataSource.query<{ action: string }[]>(
      `SELECT e.action FROM audit_events e JOIN audit_personal_data pd ON pd.event_id = e.id
        WHERE pd.data->>'email' = $1 AND e.action LIKE 'invitation.%' ORDER BY e.id`,
      [address],
    );
  let admin: Agent;
  let adminId: string;

  before(async () => {
    const who = await givenUser(context.db.dataSource, 'admin');
    admin = await signedIn(context.app, who);
    adminId = (await context.db.dataSource.getRepository(User).findOneByOrFail({ email: who.email })).id;
  });

  const post = async (url: string, fields: Record<string, string>) => {
    const page = await admin.get('/beheer/medewerkers');
    return admin
      .post(url)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields });
  };
  const member = (email: string) => context.db.dataSource.getRepository(User).findOneByOrFail({ email });

  it('invites a member of staff by mail; the link makes an account with that role', async () => {
    const res = await post('/beheer/medewerkers', {
      email: 'Nieuwe.Auditor@Register.Example',
      role: 'auditor',
    });
    assert.equal(res.status, 303);
    const [mail] = await context.db.dataSource
      .getRepository(OutboxMail)
      .find({ where: { recipient: 'nieuwe.auditor@register.example' }, order: { id: 'DESC' }, take: 1 });
    assert.ok(mail, 'the new colleague is mailed');
    const link = /http:\/\/register\.test(\/uitnodiging\/[^\s]+)/.exec(mail.body)?.[1];
    assert.ok(link);
    const invited = request.agent(context.app);
    const accept = await submitForm(invited, link, link, {
      name: 'Nieuwe Auditor',
      password: TEST_PASSWORD,
      passwordConfirmation: TEST_PASSWORD,
    });
    assert.equal(accept.status, 303);
    assert.equal((await member('nieuwe.auditor@register.example')).role, 'auditor');
    const list = await admin.get('/beheer/medewerkers');
    assert.match(
      list.text,
      /data-member="nieuwe\.auditor@register\.example" data-role="auditor" data-disabled="no"/,
    );
    await assertValidHtml(list.text, 'staff list');
  });

  it('refuses an invitation for a provider role or a malformed address, keeping what was typed', async () => {
    const res = await post('/beheer/medewerkers', { email: 'geen-adres', role: 'provider' });
    assert.equal(res.status, 400);
    assert.match(res.text, /value="geen-adres"/);
  });

  it('changes a role and disables an account: the account’s sessions end, its name stays in the history', async () => {
    const reviewer = await givenUser(context.db.dataSource, 'reviewer');
    const session = await signedIn(context.app, reviewer);
    const { id } = await member(reviewer.email);
    assert.equal((await post(`/beheer/medewerkers/${id}/rol`, { role: 'auditor' })).status, 303);
    assert.equal((await member(reviewer.email)).role, 'auditor');
    assert.equal((await post(`/beheer/medewerkers/${id}/status`, { action: 'disable' })).status, 303);
    assert.ok((await member(reviewer.email)).disabledAt);
    assert.equal((await session.get('/beoordeling')).status, 303, 'the open session no longer works');
    const login = await submitForm(request.agent(context.app), '/inloggen', '/inloggen', {
      email: reviewer.email,
      password: reviewer.password,
    });
    assert.equal(login.status, 400, 'a disabled account cannot log in');
    const audit = await context.db.dataSource.getRepository(AuditEvent).findBy({ subjectId: id });
    const actions = audit.map((e) => e.action);
    assert.ok(actions.includes('staff.role_changed') && actions.includes('staff.disabled'), actions.join());
    assert.equal((await post(`/beheer/medewerkers/${id}/status`, { action: 'enable' })).status, 303);
    assert.equal((await member(reviewer.email)).disabledAt, null);
  });

  it('never disables or demotes the last active administrator', async () => {
    const admins = await context.db.dataSource.getRepository(User).countBy({ role: 'admin' });
    assert.equal(admins, 1);
    // A refusal of what was asked, on the staff page itself (not a "changed by someone else" page).
    const demote = await post(`/beheer/medewerkers/${adminId}/rol`, { role: 'reviewer' });
    assert.equal(demote.status, 400);
    assert.match(demote.text, /Dit is de laatste actieve beheerder/);
    assert.match(demote.text, /<h1[^>]*>De medewerkers van het register<\/h1>|data-member=/);
    assert.match(demote.text, /href="#medewerkers"/, 'the error summary links to the staff table');
    assert.doesNotMatch(demote.text, /door iemand anders gewijzigd|changed by someone else/i);
    await assertValidHtml(demote.text, 'staff list with the last-administrator message');
    const disable = await post(`/beheer/medewerkers/${adminId}/status`, { action: 'disable' });
    assert.equal(disable.status, 400);
    assert.match(disable.text, /Dit is de laatste actieve beheerder/);
    const me = await context.db.dataSource.getRepository(User).findOneByOrFail({ id: adminId });
    assert.equal(me.role, 'admin');
    assert.equal(me.disabledAt, null);
    // With a second administrator, the first may step down.
    const second = await givenUser(context.db.dataSource, 'admin');
    const secondId = (await member(second.email)).id;
    assert.equal((await post(`/beheer/medewerkers/${secondId}/status`, { action: 'disable' })).status, 303);
    assert.equal((await post(`/beheer/medewerkers/${adminId}/rol`, { role: 'reviewer' })).status, 400);
  });

  it('does not touch provider accounts', async () => {
    const organisation = await givenProvider(context.db.dataSource);
    const provider = await givenUser(context.db.dataSource, 'provider', { providerId: organisation.id });
    const { id } = await member(provider.email);
    assert.equal((await post(`/beheer/medewerkers/${id}/status`, { action: 'disable' })).status, 404);
  });

  it('shows each member’s last login and whether the second factor is set up', async () => {
    const never = await givenUser(context.db.dataSource, 'auditor', { totp: false });
    const seen = await givenUser(context.db.dataSource, 'reviewer');
    await signedIn(context.app, seen);
    const page = await admin.get('/beheer/medewerkers');
    const row = (email: string) =>
      must(
        new RegExp(`<tr[^>]*data-member="${email.replace(/[.]/g, '\\.')}"[\\s\\S]*?</tr>`).exec(
          page.text,
        )?.[0],
        email,
      );
    const lastLogin = must((await member(seen.email)).lastLoginAt ?? undefined, 'recorded at sign-in');
    assert.match(row(seen.email), new RegExp(`data-last-login="${lastLogin.toISOString()}"`));
    assert.match(row(seen.email), /data-second-factor="yes">Ingesteld</);
    assert.match(row(never.email), /data-last-login="">Nog nooit</);
    assert.match(row(never.email), /data-second-factor="no">Niet ingesteld</);
    await assertValidHtml(page.text, 'staff list with logins');
  });

  /** The invitation link in the newest mail to `address`. */
  const linkTo = async (address: string) => {
    const [mail] = await context.db.dataSource
      .getRepository(OutboxMail)
      .find({ where: { recipient: address }, order: { id: 'DESC' }, take: 1 });
    return must(
      /http:\/\/register\.test(\/uitnodiging\/[^\s]+)/.exec(must(mail, `a mail to ${address}`).body)?.[1],
      'a link',
    );
  };
  const invitationRow = (html: string, address: string) =>
    new RegExp(`<tr[^>]*data-invitation="${address.replace(/[.]/g, '\\.')}"[\\s\\S]*?</tr>`).exec(html)?.[0];
  const formAction = (row: string, verb: 'opnieuw' | 'intrekken') =>
    must(new RegExp(`action="(/beheer/medewerkers/uitnodigingen/[0-9a-f-]+/${verb})"`).exec(row)?.[1], verb);

  /** Posting the form behind a dead link (with a valid CSRF token) makes no account. */
  const assertDeadLink = async (link: string) => {
    const agent = request.agent(context.app);
    // The token first: the agent puts its cookies on a request when the request is made.
    const _csrf = await tokenFor(agent, '/inloggen');
    const res = await agent
      .post(link)
      .type('form')
      .send({ _csrf, name: 'Te Laat', password: TEST_PASSWORD, passwordConfirmation: TEST_PASSWORD });
    assert.equal(res.status, 400, `${link} still works`);
    assert.match(res.text, /Deze link is ongeldig, al gebruikt of verlopen\./);
  };

  it('lists open invitations; sending again mails a new link and the old one stops working, audited', async () => {
    const address = `opnieuw-${Date.now()}@register.example`;
    assert.equal((await post('/beheer/medewerkers', { email: address, role: 'reviewer' })).status, 303);
    const oldLink = await linkTo(address);
    const page = await admin.get('/beheer/medewerkers');
    const row = must(invitationRow(page.text, address), 'the invitation is listed');
    assert.match(row, /data-role="reviewer"/);
    assert.match(row, />beoordelaar</);
    await assertValidHtml(page.text, 'staff list with invitations');

    const resent = await post(formAction(row, 'opnieuw'), {});
    assert.equal(resent.status, 303);
    const newLink = await linkTo(address);
    assert.notEqual(newLink, oldLink);
    const linkInvalid = 'Deze link is ongeldig, al gebruikt of verlopen.';
    assert.ok((await request(context.app).get(oldLink)).text.includes(linkInvalid), 'the old link is dead');
    assert.ok(!(await request(context.app).get(newLink)).text.includes(linkInvalid), 'the new one works');
    await assertDeadLink(oldLink);
    const accept = await submitForm(request.agent(context.app), newLink, newLink, {
      name: 'Nieuwe Link',
      password: TEST_PASSWORD,
      passwordConfirmation: TEST_PASSWORD,
    });
    assert.equal(accept.status, 303);
    assert.equal((await member(address)).role, 'reviewer');
    const events = await invitationEventsTo(address);
    assert.deepEqual(events.map((e) => e.action).sort(), ['invitation.created', 'invitation.resent']);
    assert.ok(
      !invitationRow((await admin.get('/beheer/medewerkers')).text, address),
      'used: no longer listed',
    );
  });

  it('revokes an open invitation: its link stops working, audited', async () => {
    const address = `intrekken-${Date.now()}@register.example`;
    assert.equal((await post('/beheer/medewerkers', { email: address, role: 'auditor' })).status, 303);
    const link = await linkTo(address);
    const row = must(invitationRow((await admin.get('/beheer/medewerkers')).text, address), 'listed');
    const revoked = await post(formAction(row, 'intrekken'), {});
    assert.equal(revoked.status, 303);
    const after = await admin.get(must(revoked.headers.location, 'back to the staff page'));
    assert.match(after.text, /De uitnodiging is ingetrokken/);
    assert.ok(!invitationRow(after.text, address), 'no longer listed');
    await assertDeadLink(link);
    assert.equal(await context.db.dataSource.getRepository(User).countBy({ email: address }), 0);
    const events = await invitationEventsTo(address);
    assert.ok(events.some((e) => e.action === 'invitation.revoked'));
    // Revoked twice: nothing open any more, said on the staff page (not a 404).
    const twice = await post(formAction(row, 'intrekken'), {});
    assert.equal(twice.status, 400);
    assert.match(twice.text, /Deze uitnodiging is intussen opnieuw verstuurd of ingetrokken/);
  });

  it('revoking from a page loaded before the invitation was sent again shows the staff page with a message', async () => {
    const address = `verouderd-${Date.now()}@register.example`;
    assert.equal((await post('/beheer/medewerkers', { email: address, role: 'reviewer' })).status, 303);
    const stale = must(invitationRow((await admin.get('/beheer/medewerkers')).text, address), 'listed');
    assert.equal((await post(formAction(stale, 'opnieuw'), {})).status, 303);
    for (const verb of ['intrekken', 'opnieuw'] as const) {
      const res = await post(formAction(stale, verb), {});
      assert.equal(res.status, 400, verb);
      assert.match(res.text, /Deze uitnodiging is intussen opnieuw verstuurd of ingetrokken/);
      assert.match(res.text, /href="#uitnodigingen"/, 'the summary links to the invitations');
      assert.ok(invitationRow(res.text, address), 'the page lists the invitation as it is now');
      assert.doesNotMatch(res.text, /Pagina niet gevonden/);
      await assertValidHtml(res.text, `staff list after a stale ${verb}`);
    }
    const en = await admin
      .post(`${formAction(stale, 'intrekken')}?lang=en`)
      .type('form')
      .send({ _csrf: csrfFrom((await admin.get('/beheer/medewerkers')).text) });
    assert.match(en.text, /This invitation has been sent again or revoked in the meantime/);
    await admin.get('/beheer/medewerkers?lang=nl');
    // The invitation sent again is still open: the stale forms changed nothing.
    assert.equal(
      await context.db.dataSource.getRepository(AccountToken).countBy({ email: address, usedAt: IsNull() }),
      1,
    );
  });

  it('links a refused role change to that member’s role field, not to the invite form', async () => {
    const reviewer = await givenUser(context.db.dataSource, 'reviewer');
    const { id } = await member(reviewer.email);
    const res = await post(`/beheer/medewerkers/${id}/rol`, { role: 'provider' });
    assert.equal(res.status, 400);
    assert.ok(res.text.includes(`href="#role-${id}"`), 'the summary links to the row’s field');
    assert.ok(res.text.includes(`id="role-${id}"`), 'which exists');
    assert.doesNotMatch(res.text, /href="#field-role"/);
    await assertValidHtml(res.text, 'staff list with a role error');
  });

  it('signs in whoever accepts an invitation: last login and user.logged_in, as every sign-in', async () => {
    const address = `admin2-${Date.now()}@register.example`;
    assert.equal((await post('/beheer/medewerkers', { email: address, role: 'admin' })).status, 303);
    const link = await linkTo(address);
    const accept = await submitForm(request.agent(context.app), link, link, {
      name: 'Tweede Beheerder',
      password: TEST_PASSWORD,
      passwordConfirmation: TEST_PASSWORD,
    });
    assert.equal(accept.status, 303);
    const joined = await member(address);
    const lastLogin = must(joined.lastLoginAt ?? undefined, 'the last login is recorded');
    const logins = await context.db.dataSource
      .getRepository(AuditEvent)
      .findBy({ action: 'user.logged_in', subjectId: joined.id });
    assert.deepEqual(
      logins.map((e) => e.data),
      [{ way: 'invitation' }],
    );
    const page = await admin.get('/beheer/medewerkers');
    assert.match(page.text, new RegExp(`data-last-login="${lastLogin.toISOString()}"`));
  });

  it('answers 404 to an unknown invitation link and 410 to a used or revoked one, with the clear page', async () => {
    const unknown = await request(context.app).get('/uitnodiging/bestaat-niet-0123456789abcdef');
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /Deze link is ongeldig, al gebruikt of verlopen\./);
    const address = `dood-${Date.now()}@register.example`;
    assert.equal((await post('/beheer/medewerkers', { email: address, role: 'auditor' })).status, 303);
    const link = await linkTo(address);
    assert.equal((await request(context.app).get(link)).status, 200);
    const row = must(invitationRow((await admin.get('/beheer/medewerkers')).text, address), 'listed');
    assert.equal((await post(formAction(row, 'intrekken'), {})).status, 303);
    const gone = await request(context.app).get(link);
    assert.equal(gone.status, 410);
    assert.match(gone.text, /Deze link is ongeldig, al gebruikt of verlopen\./);
    await assertValidHtml(gone.text, 'dead invitation link');
  });

  it('refuses a second open invitation for one address with a clear message; the database refuses it too', async () => {
    const address = `dubbel-${Date.now()}@register.example`;
    assert.equal((await post('/beheer/medewerkers', { email: address, role: 'auditor' })).status, 303);
    const again = await post('/beheer/medewerkers', { email: address, role: 'reviewer' });
    assert.equal(again.status, 400);
    assert.match(again.text, /voor dit adres staat al een uitnodiging open/);
    assert.ok(again.text.includes(`value="${address}"`), 'keeps what was typed');
    const open = () =>
      context.db.dataSource.getRepository(AccountToken).countBy({ email: address, usedAt: IsNull() });
    assert.equal(await open(), 1);
    await assert.rejects(
      context.db.dataSource.query(
        `INSERT INTO account_tokens (token_hash, purpose, email, role, expires_at)
         VALUES (repeat('a', 64), 'invitation', $1, 'reviewer', now() + interval '1 day')`,
        [address],
      ),
      /account_tokens_one_open_invitation/,
    );
    // Once it has expired unused, a new invitation replaces it.
    await context.db.dataSource.query(
      `UPDATE account_tokens SET expires_at = now() - interval '1 minute', created_at = now() - interval '8 days' WHERE email = $1`,
      [address],
    );
    assert.equal((await post('/beheer/medewerkers', { email: address, role: 'reviewer' })).status, 303);
    assert.equal(await open(), 1);
  });

  it('invites as staff an address an organisation invited too: the organisation cannot block it', async () => {
    const address = `ook-elders-${Date.now()}@register.example`;
    const provider = await givenProvider(context.db.dataSource);
    const colleague = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
    const invited = await submitForm(
      await signedIn(context.app, colleague),
      '/account',
      '/account/collegas',
      {
        email: address,
      },
    );
    assert.equal(invited.status, 200);
    assert.equal((await post('/beheer/medewerkers', { email: address, role: 'auditor' })).status, 303);
    const open = await context.db.dataSource
      .getRepository(AccountToken)
      .findBy({ email: address, usedAt: IsNull() });
    assert.deepEqual(open.map((t) => t.role).sort(), ['auditor', 'provider']);
  });
});
