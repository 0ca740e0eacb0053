import assert from 'node:assert/strict';
import { updateSettings, readSettings } from '../../src/settings/settings.service';
import { dateInWords } from '../../src/shared/i18n';
import { addDays, addMonths } from '../../src/shared/time';
import { givenFilledApplication } from '../factories/application.factory';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
} from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { signedIn, submitForm } from '../helpers/session';

/** Issue 13 §3: the account page tells a provider where it stands and what to do now. */
describe('GET /account: the status at the top, what to do now and where to ask', () => {
  const context = useTestApp();
  const ds = () => context.db.dataSource;
  const now = new Date();

  const providerWithUser = async () => {
    const provider = await givenProvider(ds());
    const who = await givenUser(ds(), 'provider', { providerId: provider.id });
    return { provider, who };
  };
  const oldVersion = () => givenCodeVersion(ds(), { publishedAt: new Date('2020-01-01T00:00:00Z') });
  const accountPage = async (who: Awaited<ReturnType<typeof providerWithUser>>['who'], query = '') => {
    const res = await (await signedIn(context.app, who)).get(`/account${query}`);
    assert.equal(res.status, 200);
    return res.text;
  };
  const statusSection = (html: string) => {
    const match = /<section aria-labelledby="status-heading"[\s\S]*?<\/section>/.exec(html);
    assert.ok(match, 'the account page has a status section');
    // At the top: before the applications.
    assert.ok(html.indexOf(match[0]) < html.indexOf('id="applications-heading"'), 'status comes first');
    return match[0];
  };

  it('a listed provider: verantwoord until when, since when, and from when it can renew', async () => {
    const { provider, who } = await providerWithUser();
    const approvedAt = addDays(now, -30);
    await givenApproval(ds(), provider, await oldVersion(), approvedAt);
    const html = await accountPage(who);
    const section = statusSection(html);
    assert.match(section, /data-status="verantwoord"/);
    assert.ok(section.includes(`data-valid-until="${addMonths(approvedAt, 12).toISOString()}"`));
    assert.match(section, /Vermelding geldig tot/);
    assert.ok(section.includes(`data-since="${approvedAt.toISOString()}"`));
    assert.match(section, /data-next-step="account.nextStep.renewFrom"/);
    const renewalFrom = addDays(addMonths(approvedAt, 12), -testConfig.renewalWindowDays);
    assert.ok(section.includes(`Verlengen kan vanaf ${dateInWords('nl', renewalFrom)}`), section);
    assert.ok(
      section.includes('href="mailto:register@register.example"'),
      'the contact address from the settings',
    );
    assert.match(section, /bezwaar maken/);
    await assertValidHtml(html, 'account: listed');
  });

  it('a suspended provider: the reason in words, since when, the planned end and what lifts it', async () => {
    const { provider, who } = await providerWithUser();
    await givenApproval(ds(), provider, await oldVersion(), addDays(now, -100));
    const since = addDays(now, -2);
    const until = addDays(now, 20);
    await givenStatusEvent(ds(), {
      providerId: provider.id,
      kind: 'suspended',
      effectiveAt: since,
      reason: 'Abuse-meldingen bleven drie weken liggen.',
      suspendedUntil: until,
    });
    const html = await accountPage(who);
    const section = statusSection(html);
    assert.match(section, /data-status="suspended"/);
    assert.match(section, /Toelichting: Abuse-meldingen bleven drie weken liggen\./);
    assert.match(section, /De vermelding is geschorst|geschorst/);
    assert.ok(section.includes(`data-since="${since.toISOString()}"`));
    assert.ok(section.includes(`data-planned-end="${until.toISOString()}"`));
    assert.match(section, /data-next-step="account.nextStep.awaitSuspensionEnd"/);
    assert.ok(section.includes(`De schorsing loopt tot ${dateInWords('nl', until)}`));
    await assertValidHtml(html, 'account: suspended');
    const english = await accountPage(who, '?lang=en');
    assert.ok(statusSection(english).includes(`The suspension lasts until ${dateInWords('en', until)}`));
    assert.match(statusSection(english), /Not responsible \(niet verantwoord\): suspended/);
  });

  it('a revoked provider: the reason, since when, and that a new application is the way back', async () => {
    const { provider, who } = await providerWithUser();
    await givenApproval(ds(), provider, await oldVersion(), addDays(now, -100));
    const since = addDays(now, -5);
    await givenStatusEvent(ds(), {
      providerId: provider.id,
      kind: 'revoked',
      effectiveAt: since,
      reason: 'Malafide reseller bewust toegelaten.',
    });
    const section = statusSection(await accountPage(who));
    assert.match(section, /data-status="revoked"/);
    assert.match(section, /Toelichting: Malafide reseller bewust toegelaten\./);
    assert.ok(section.includes(`data-since="${since.toISOString()}"`));
    assert.doesNotMatch(section, /data-planned-end/);
    assert.match(section, /data-next-step="account.nextStep.applyAfterRevocation"/);
    assert.match(section, /dient u een nieuwe aanvraag in/);
  });

  it('a provider never listed: not verantwoord, and how to apply', async () => {
    const { who } = await providerWithUser();
    const html = await accountPage(who);
    const section = statusSection(html);
    assert.match(section, /data-status="not_listed"/);
    assert.match(section, /data-next-step="account.nextStep.apply"/);
    assert.doesNotMatch(section, /data-valid-until|data-reason/);
    await assertValidHtml(html, 'account: never listed');
  });

  it('a provider whose application waits for review: pending since the submission, nothing to do, a link to it', async () => {
    const { who } = await providerWithUser();
    const submittedAt = addDays(now, -1);
    const application = await givenFilledApplication(ds(), who.user, await oldVersion(), submittedAt);
    const html = await accountPage(who);
    const section = statusSection(html);
    assert.match(section, /data-status="application_pending"/);
    assert.ok(section.includes(`data-since="${submittedAt.toISOString()}"`));
    assert.match(section, /data-next-step="account.nextStep.awaitReview"/);
    assert.ok(section.includes(`href="/aanvragen/${application.id}"`));
    await assertValidHtml(html, 'account: pending review');
  });

  it('shows the contact address the administrator set', async () => {
    const { who } = await providerWithUser();
    const before = await readSettings(ds().manager, testConfig);
    await updateSettings(
      ds(),
      testConfig,
      'test',
      { ...before, contactEmail: 'bezwaar@register.example' },
      now,
    );
    try {
      const section = statusSection(await accountPage(who));
      assert.ok(section.includes('href="mailto:bezwaar@register.example"'));
    } finally {
      await updateSettings(ds(), testConfig, 'test', before, now);
    }
  });
});

describe('POST /account/collegas with a bad address', () => {
  const context = useTestApp();

  it('answers 400 on the account page itself, with the typed value and the error next to the field', async () => {
    const provider = await givenProvider(context.db.dataSource);
    const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
    const agent = await signedIn(context.app, who);
    const typed = 'collega-at-example';
    const res = await submitForm(agent, '/account', '/account/collegas', { email: typed });
    assert.equal(res.status, 400);
    assert.ok(
      res.text.includes(`<h1 class="nl-heading nl-heading--level-1">${provider.legalName}</h1>`),
      'the account page',
    );
    assert.match(res.text, /aria-labelledby="status-heading"/);
    assert.match(res.text, new RegExp(`id="field-email"[^>]*value="${typed}"`));
    assert.match(res.text, /id="error-email"/);
    assert.match(res.text, /aria-invalid="true"/);
    assert.match(res.text, /href="#field-email"/, 'the error summary links to the field');
    await assertValidHtml(res.text, 'account: invitation refused');
  });
});
