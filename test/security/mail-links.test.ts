import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { requestPasswordReset } from '../../src/identity/account.service';
import { inviteStaff } from '../../src/identity/invitation.service';
import { deliverOutbox } from '../../src/mail/mail.service';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { fileTransport } from '../../src/mail/sender';
import { createLogger } from '../../src/shared/logger';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn } from '../helpers/session';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { must } from '../../src/shared/must';
import { systemClock } from '../../src/shared/clock';

/** The secret of every single-use link in the outbox's bodies, as they are before delivery. */
async function liveTokens(ctx: ReturnType<typeof useTestApp>): Promise<string[]> {
  const mails = await ctx.db.dataSource.getRepository(OutboxMail).find();
  const found = mails.flatMap((m) =>
    [...m.body.matchAll(/\/(?:wachtwoord-herstellen|uitnodiging)\/([A-Za-z0-9_-]{16,})/g)].map((x) =>
      must(x[1], 'the pattern has a group'),
    ),
  );
  return [...new Set(found)];
}

describe('single-use links in mail are seen by their recipient only', () => {
  const ctx = useTestApp();
  let admin: TestUser;
  const staff = {} as Record<'reviewer' | 'auditor' | 'admin', Agent>;
  let tokens: string[];

  before(async () => {
    admin = await givenUser(ctx.db.dataSource, 'admin');
    for (const role of ['reviewer', 'auditor'] as const)
      staff[role] = await signedIn(ctx.app, await givenUser(ctx.db.dataSource, role));
    staff.admin = await signedIn(ctx.app, admin);
    // The attack: an administrator invites a new admin, a provider user asks for a reset link.
    await inviteStaff(
      ctx.db.dataSource,
      admin.user,
      'new-admin@test.example',
      'admin',
      'http://register.test',
      new Date(),
    );
    const provider = await givenProvider(ctx.db.dataSource);
    const user = await givenUser(ctx.db.dataSource, 'provider', { providerId: provider.id });
    await requestPasswordReset(ctx.db.dataSource, user.email, 'http://register.test', new Date());
    tokens = await liveTokens(ctx);
    assert.equal(tokens.length, 2, 'an invitation and a reset link are waiting in the outbox');
  });

  it('refuses the outbox page to reviewers and auditors (only administrators see it)', async () => {
    await staff.reviewer.get('/beheer/uitgaande-mail').expect(403);
    await staff.auditor.get('/beheer/uitgaande-mail').expect(403);
  });

  it('shows administrators recipient, subject and state of each mail, never its body', async () => {
    const page = await staff.admin.get('/beheer/uitgaande-mail').expect(200);
    assert.match(page.text, /new-admin@test\.example/);
    for (const token of tokens) assert.ok(!page.text.includes(token), 'no live link on the outbox page');
    assert.ok(!/\/uitnodiging\/|\/wachtwoord-herstellen\//.test(page.text), 'no single-use link at all');
    await assertValidHtml(page.text, 'outbox');
  });

  it('puts no live link on any staff page, export or audit line', async () => {
    const pages = [
      '/beoordeling',
      '/beheer/auditlog',
      '/beheer/auditlog.csv',
      '/beheer/auditlog.jsonl',
      '/beheer/medewerkers',
      '/beheer/uitgaande-mail',
      '/account',
    ];
    for (const [role, agent] of Object.entries(staff)) {
      for (const url of pages) {
        const res = await agent.get(url);
        for (const token of tokens)
          assert.ok(!res.text.includes(token), `${role} finds a live link on ${url} (${res.status})`);
      }
    }
    const events = await ctx.db.dataSource.query<{ d: string }[]>('SELECT data::text AS d FROM audit_events');
    for (const token of tokens)
      assert.ok(!events.some((e) => e.d.includes(token)), 'no token in the audit log');
  });

  it('delivers each mail as an .eml file the recipient can use, then masks the stored link', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'vhp-mail-'));
    const sent = await deliverOutbox(
      ctx.db.dataSource,
      fileTransport(directory, systemClock),
      'register@test.example',
      createLogger('silent'),
      systemClock,
    );
    assert.equal(sent, 2);
    const files = readdirSync(directory).filter((f) => f.endsWith('.eml'));
    assert.equal(files.length, 2);
    const written = files.map((f) => readFileSync(path.join(directory, f), 'utf8')).join('\n');
    for (const token of tokens) assert.ok(written.includes(token), 'the recipient gets the working link');
    assert.match(written, /^Subject: /m);
    assert.deepEqual(await liveTokens(ctx), [], 'the outbox keeps no usable link after delivery');
    // The delivered link still works for its recipient.
    const invitation = written.match(/\/uitnodiging\/([A-Za-z0-9_-]+)/)![1];
    const page = await request(ctx.app).get(`/uitnodiging/${invitation}`).expect(200);
    assert.match(page.text, /new-admin@test\.example/);
  });
});
