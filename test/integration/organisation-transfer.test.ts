import assert from 'node:assert/strict';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { issueToken } from '../../src/identity/account-token.service';
import { handOverOrganisation } from '../../src/identity/organisation-transfer';
import { User } from '../../src/identity/user.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { Provider } from '../../src/provider/provider.entity';
import { givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { signedIn } from '../helpers/session';

describe('handing an organisation over to its real owner', () => {
  const context = useTestApp();
  const db = () => context.db.dataSource;

  /** An unconfirmed organisation with two signed-in users, an open invitation and a reset link out. */
  const givenSquattedOrganisation = async () => {
    const provider = await givenProvider(db(), {}, { unconfirmed: true });
    const first = await givenUser(db(), 'provider', { providerId: provider.id });
    const second = await givenUser(db(), 'provider', { providerId: provider.id });
    const firstAgent = await signedIn(context.app, first);
    const secondAgent = await signedIn(context.app, second);
    const invited = `invited-${provider.kvkNumber}@test.example`;
    await db().transaction(async (m) => {
      const base = {
        userId: null,
        providerId: provider.id,
        role: 'provider' as const,
        createdBy: first.user.id,
      };
      await issueToken(m, { ...base, purpose: 'invitation', email: invited }, 3600_000, new Date());
      await issueToken(
        m,
        {
          ...base,
          purpose: 'password_reset',
          email: second.email,
          userId: second.user.id,
          providerId: null,
          role: null,
          createdBy: null,
        },
        3600_000,
        new Date(),
      );
    });
    return { provider, first, second, firstAgent, secondAgent, invited };
  };

  const openLinks = async (providerId: string, userIds: string[]) => {
    const [row] = await db().query<{ open: number }[]>(
      `SELECT count(*)::int AS open FROM account_tokens
        WHERE used_at IS NULL AND (provider_id = $1 OR user_id = ANY($2::uuid[]))`,
      [providerId, userIds],
    );
    return row?.open;
  };

  // The new owner's account is made for the organisation in the same transaction (by the login or the claim).
  it('by eHerkenning: the others lose access, identity is confirmed, a review task opens, all are told', async () => {
    const { provider, first, second, firstAgent, secondAgent } = await givenSquattedOrganisation();
    const owner = await givenUser(db(), 'provider', { providerId: provider.id });
    assert.equal(await openLinks(provider.id, [second.user.id]), 2);
    const now = new Date();

    const { formerUserIds } = await db().transaction((m) =>
      handOverOrganisation(m, {
        providerId: provider.id,
        toUserId: owner.user.id,
        how: 'eherkenning',
        actor: `provider:${owner.user.id}`,
        config: testConfig,
        now,
      }),
    );

    assert.deepEqual([...formerUserIds].sort(), [first.user.id, second.user.id].sort());
    const users = db().getRepository(User);
    for (const former of [first, second])
      assert.ok((await users.findOneByOrFail({ id: former.user.id })).disabledAt, 'disabled');
    assert.equal(
      (await users.findOneByOrFail({ id: owner.user.id })).disabledAt,
      null,
      'the owner keeps access',
    );
    for (const agent of [firstAgent, secondAgent]) {
      const page = await agent.get('/account');
      assert.equal(page.status, 303, 'the former sessions ended');
    }
    assert.equal(await openLinks(provider.id, [second.user.id]), 0, 'invitation and reset link stopped');

    const confirmed = await db().getRepository(Provider).findOneByOrFail({ id: provider.id });
    assert.ok(confirmed.identityConfirmedAt);
    assert.equal(confirmed.identityConfirmedHow, 'eherkenning');

    const tasks = await db().query<{ kind: string }[]>(
      `SELECT kind FROM review_tasks WHERE provider_id = $1 AND resolved_at IS NULL`,
      [provider.id],
    );
    assert.deepEqual(
      tasks.map((t) => t.kind),
      ['organisation_taken_over'],
    );

    const event = await db()
      .getRepository(AuditEvent)
      .findOneByOrFail({ action: 'provider.handed_over', subjectId: provider.id });
    assert.equal(event.actor, `provider:${owner.user.id}`);
    assert.equal(event.data.how, 'eherkenning');
    assert.deepEqual(event.data.formerUserIds, formerUserIds);
    assert.equal(event.data.revokedLinks, 2);
    assert.ok(!JSON.stringify(event.data).includes('@'), 'no address in the event');

    const outbox = db().getRepository(OutboxMail);
    const ownerMail = await outbox.findOneByOrFail({ recipient: owner.email });
    assert.match(ownerMail.subject, /U beheert nu .* in het register/);
    assert.match(ownerMail.body, /met eHerkenning aangetoond/);
    for (const former of [first, second]) {
      const mail = await outbox.findOneByOrFail({ recipient: former.email });
      assert.match(mail.subject, /Uw toegang tot .* is beëindigd/);
      assert.ok(mail.body.includes(provider.kvkNumber));
    }

    // The review queue shows the task in words.
    const reviewer = await signedIn(context.app, await givenUser(db(), 'reviewer'));
    const queue = await reviewer.get('/beoordeling');
    assert.match(queue.text, /overgenomen met eHerkenning/);
  });

  it('by a claim: identity counts as confirmed by the KvK extract, and no takeover task opens', async () => {
    const { provider, first } = await givenSquattedOrganisation();
    const claimant = await givenUser(db(), 'provider', { providerId: provider.id });
    const reviewer = await givenUser(db(), 'reviewer');
    await db().transaction((m) =>
      handOverOrganisation(m, {
        providerId: provider.id,
        toUserId: claimant.user.id,
        how: 'claim',
        actor: `reviewer:${reviewer.user.id}`,
        config: testConfig,
        now: new Date(),
        detail: { claimId: '00000000-0000-4000-8000-000000000001' },
      }),
    );
    const confirmed = await db().getRepository(Provider).findOneByOrFail({ id: provider.id });
    assert.equal(confirmed.identityConfirmedHow, 'kvk_extract');
    assert.equal(confirmed.identityConfirmedBy, `reviewer:${reviewer.user.id}`);
    const [tasks] = await db().query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM review_tasks WHERE provider_id = $1`,
      [provider.id],
    );
    assert.equal(tasks?.n, 0);
    const mail = await db().getRepository(OutboxMail).findOneByOrFail({ recipient: first.email });
    assert.match(mail.body, /uittreksel uit het Handelsregister/);
    const event = await db()
      .getRepository(AuditEvent)
      .findOneByOrFail({ action: 'provider.handed_over', subjectId: provider.id });
    assert.equal(event.data.claimId, '00000000-0000-4000-8000-000000000001');
  });

  it('keeps an organisation confirmed before as it was, and refuses an account of another organisation', async () => {
    const provider = await givenProvider(db());
    const other = await givenProvider(db());
    const outsider = await givenUser(db(), 'provider', { providerId: other.id });
    await assert.rejects(
      db().transaction((m) =>
        handOverOrganisation(m, {
          providerId: provider.id,
          toUserId: outsider.user.id,
          how: 'claim',
          actor: 'test',
          config: testConfig,
          now: new Date(),
        }),
      ),
      /cannot take over/,
    );
    const owner = await givenUser(db(), 'provider', { providerId: provider.id });
    const before = await db().getRepository(Provider).findOneByOrFail({ id: provider.id });
    await db().transaction((m) =>
      handOverOrganisation(m, {
        providerId: provider.id,
        toUserId: owner.user.id,
        how: 'eherkenning',
        actor: `provider:${owner.user.id}`,
        config: testConfig,
        now: new Date(),
      }),
    );
    const after = await db().getRepository(Provider).findOneByOrFail({ id: provider.id });
    assert.deepEqual(after.identityConfirmedAt, before.identityConfirmedAt);
    assert.equal(after.identityConfirmedHow, before.identityConfirmedHow);
  });
});
