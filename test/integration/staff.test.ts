import assert from 'node:assert/strict';
import request from 'supertest';
import { User } from '../../src/identity/user.entity';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, TEST_PASSWORD } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn, submitForm } from '../helpers/session';

describe('staff accounts, managed by administrators', () => {
  const context = useTestApp();
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
    const demote = await post(`/beheer/medewerkers/${adminId}/rol`, { role: 'reviewer' });
    assert.equal(demote.status, 409);
    assert.match(demote.text, /laatste actieve beheerder/);
    const disable = await post(`/beheer/medewerkers/${adminId}/status`, { action: 'disable' });
    assert.equal(disable.status, 409);
    const me = await context.db.dataSource.getRepository(User).findOneByOrFail({ id: adminId });
    assert.equal(me.role, 'admin');
    assert.equal(me.disabledAt, null);
    // With a second administrator, the first may step down.
    const second = await givenUser(context.db.dataSource, 'admin');
    const secondId = (await member(second.email)).id;
    assert.equal((await post(`/beheer/medewerkers/${secondId}/status`, { action: 'disable' })).status, 303);
    assert.equal((await post(`/beheer/medewerkers/${adminId}/rol`, { role: 'reviewer' })).status, 409);
  });

  it('does not touch provider accounts', async () => {
    const organisation = await givenProvider(context.db.dataSource);
    const provider = await givenUser(context.db.dataSource, 'provider', { providerId: organisation.id });
    const { id } = await member(provider.email);
    assert.equal((await post(`/beheer/medewerkers/${id}/status`, { action: 'disable' })).status, 404);
  });
});
