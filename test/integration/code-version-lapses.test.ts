import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { FixedClock } from '../../src/shared/clock';
import { must } from '../../src/shared/must';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import type { Agent } from '../helpers/session';
import { confirmationFields, listedProvider, previewOf, signedInOnClock } from '../helpers/code-versions';

async function mailTo(dataSource: DataSource, email: string | undefined): Promise<OutboxMail> {
  const mails = await dataSource.getRepository(OutboxMail).findBy({ recipient: must(email, 'an address') });
  assert.equal(mails.length, 1, `one mail to ${email}`);
  return must(mails[0], 'the mail');
}

// Local midnight in Amsterdam, in UTC.
const DEC_1_2026 = new Date('2026-11-30T23:00:00Z');
const MAR_1_2027 = new Date('2027-02-28T23:00:00Z');

describe('a new code version tells each provider the lapse of its own version', () => {
  const clock = new FixedClock('2026-06-01T10:00:00Z');
  const context = useTestApp({ clock });
  let admin: Agent;
  let onOne: { email?: string; user?: TestUser; provider: { kvkNumber: string } };
  let onTwo: { email?: string; user?: TestUser; provider: { kvkNumber: string } };

  before(async () => {
    const ds = context.db.dataSource;
    admin = await signedInOnClock(clock, context.app, await givenUser(ds, 'admin'));
    // 1.0 lapses on 1 December 2026 (2.0's transition), 2.0 on 1 March 2027 (3.0's).
    const v1 = await givenCodeVersion(ds, { label: '1.0', publishedAt: new Date('2024-01-01T00:00:00Z') });
    const v2 = await givenCodeVersion(ds, {
      label: '2.0',
      publishedAt: new Date('2025-01-01T00:00:00Z'),
      transitionEndsAt: DEC_1_2026,
    });
    await givenCodeVersion(ds, {
      label: '3.0',
      publishedAt: new Date('2026-03-01T00:00:00Z'),
      transitionEndsAt: MAR_1_2027,
    });
    onOne = await listedProvider(ds, v1, new Date('2026-01-10T10:00:00Z'));
    onTwo = await listedProvider(ds, v2, new Date('2026-01-10T10:00:00Z'));
  });

  it('names in each mail, the preview, the result page and /account the lapse of the recipient’s version, not the new transition end', async () => {
    const ds = context.db.dataSource;
    const preview = await previewOf(admin, {
      versionLabel: '4.0',
      versionTitle: 'Gedragscode 4.0',
      publishedOn: '2026-07-01',
      transitionEndsOn: '2027-06-01',
    });
    assert.equal(preview.status, 200, preview.text);
    await assertValidHtml(preview.text, 'preview with lapses per provider');
    for (const [who, lapse] of [
      [onOne, DEC_1_2026],
      [onTwo, MAR_1_2027],
    ] as const)
      assert.match(
        preview.text,
        new RegExp(
          `data-affected="${who.provider.kvkNumber}"[\\s\\S]*?data-signed-lapses="${lapse.toISOString()}"`,
        ),
      );

    const confirmed = await admin
      .post('/beheer/gedragscode/bevestigen')
      .type('form')
      .send(confirmationFields(preview.text));
    assert.equal(confirmed.status, 303, confirmed.text);
    const result = await admin.get(must(confirmed.headers.location, 'the result page'));
    await assertValidHtml(result.text, 'result with older lapses');
    assert.match(
      result.text,
      new RegExp(`data-older-lapse="1\\.0" data-lapses-at="${DEC_1_2026.toISOString()}"`),
    );
    assert.match(
      result.text,
      new RegExp(`data-older-lapse="2\\.0" data-lapses-at="${MAR_1_2027.toISOString()}"`),
    );

    const one = await mailTo(ds, onOne.email);
    assert.match(one.body, /ondertekende \(1\.0\), blijft geldig tot 1 december 2026/);
    assert.match(one.body, /signed \(1\.0\) stays valid until 1 December 2026/);
    assert.doesNotMatch(one.body, /1 juni 2027|1 June 2027/);
    const two = await mailTo(ds, onTwo.email);
    assert.match(two.body, /ondertekende \(2\.0\), blijft geldig tot 1 maart 2027/);
    assert.match(two.body, /vanaf 1 juli 2026 en vóór 1 maart 2027 een aanvraag in/);
    assert.doesNotMatch(two.body, /1 juni 2027|1 June 2027/);

    // The provider's own page says the same date as its mail.
    for (const [who, words] of [
      [onOne, '1 december 2026'],
      [onTwo, '1 maart 2027'],
    ] as const) {
      const agent = await signedInOnClock(clock, context.app, must(who.user, 'a user'));
      const account = await agent.get('/account');
      assert.match(account.text, new RegExp(`data-code-notice[^>]*>[\\s\\S]*?blijft geldig tot ${words}`));
    }
  });

  it('does not call the transition early when the publication date itself is impossible', async () => {
    const res = await previewOf(admin, {
      versionLabel: '5.0',
      versionTitle: 'Onmogelijk',
      publishedOn: '2027-13-40',
      transitionEndsOn: '2027-06-01',
    });
    assert.equal(res.status, 400);
    assert.doesNotMatch(res.text, /de overgangsperiode eindigt na de publicatiedatum/);
    assert.match(res.text, /value="2027-13-40"/);
    assert.match(res.text, /value="Onmogelijk"/);
  });
});
