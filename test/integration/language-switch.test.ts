import assert from 'node:assert/strict';
import request from 'supertest';
import { Provider } from '../../src/provider/provider.entity';
import { readSettings } from '../../src/settings/settings.service';
import { must } from '../../src/shared/must';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser, registrationFields } from '../factories/user.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, signedInApplicant, tokenFor } from '../helpers/session';

/** Text as Handlebars escaped it in an attribute, read back. */
function unescape(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x60;/g, '`')
    .replace(/&#x3D;/g, '=')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The language switch of a page shown after a POST: the form's action and its hidden fields. */
function languageSwitch(html: string): { action: string; fields: Record<string, string> } {
  const form = must(
    /<form method="post" action="([^"]+)" class="register-language__form"[^>]*>([\s\S]*?)<\/form>/.exec(
      html,
    ) ?? undefined,
    'the page offers the language switch as a form',
  );
  const fields: Record<string, string> = {};
  for (const [, name, value] of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[name!] = unescape(value!);
  return { action: unescape(form[1]!), fields };
}

/** Presses the switch, as a browser would post its form. */
const pressSwitch = (agent: Agent, html: string) => {
  const { action, fields } = languageSwitch(html);
  return agent.post(action).type('form').send(fields);
};

describe('the language switch on a form shown again after a POST', () => {
  const context = useTestApp();

  it('registration: the switch shows the same form in English with what was typed and the messages, and registers nobody', async () => {
    const visitor = request.agent(context.app);
    const _csrf = await tokenFor(visitor, '/registreren');
    const typed = registrationFields({
      kvkNumber: '1234',
      postcode: 'nope',
      legalName: 'Vertaal & "Zo" B.V.',
    });
    const refused = await visitor
      .post('/registreren')
      .type('form')
      .send({ ...typed, _csrf });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /een KvK-nummer bestaat uit 8 cijfers/);
    const { action, fields } = languageSwitch(refused.text);
    assert.equal(action, '/registreren?lang=en', 'to the same URL, in English');
    assert.equal(fields.password, undefined, 'passwords are never carried');
    assert.equal(fields.legalName, typed.legalName);
    // Before the change: a link to the POST URL, which only answers POST.
    assert.doesNotMatch(refused.text, /href="\/registreren\?lang=en"/);
    await assertValidHtml(refused.text, 'registration refused, with the switch form');

    const english = await pressSwitch(visitor, refused.text);
    assert.equal(english.status, 400);
    assert.match(english.text, /<html lang="en"/);
    assert.match(english.text, /a KvK number has 8 digits/);
    assert.match(english.text, /enter a postcode like 1234 AB/);
    assert.match(english.text, /id="field-kvkNumber"[^>]*value="1234"/);
    assert.ok(english.text.includes('value="Vertaal &amp; &quot;Zo&quot; B.V."'), 'the typed name, as typed');
    assert.equal(
      await context.db.dataSource.getRepository(Provider).countBy({ legalName: typed.legalName }),
      0,
    );
    await assertValidHtml(english.text, 'registration in English after the switch');
    // The language is remembered, and the switch goes back to Dutch.
    assert.equal(languageSwitch(english.text).action, '/registreren?lang=nl');
    const dutch = await pressSwitch(visitor, english.text);
    assert.match(dutch.text, /<html lang="nl"/);
    assert.match(dutch.text, /een KvK-nummer bestaat uit 8 cijfers/);
  });

  it('application details: the switch keeps the typed details and saves nothing', async () => {
    await givenCodeVersion(context.db.dataSource);
    const { agent, applicationId } = await signedInApplicant(context.app, context.db.dataSource);
    const page = `/aanvragen/${applicationId}`;
    const _csrf = await tokenFor(agent, page);
    const form = await agent.get(page);
    const version = must(/name="version" value="(\d+)"/.exec(form.text)?.[1], 'the form carries its version');
    const refused = await agent.post(page).type('form').send({
      _csrf,
      version,
      signatoryName: 'Sanne Tekenaar',
      signatoryRole: 'directeur',
      codeSignedOn: 'gisteren',
      aanSince: '',
    });
    assert.equal(refused.status, 400);
    assert.equal(languageSwitch(refused.text).action, `${page}?lang=en`);

    const english = await pressSwitch(agent, refused.text);
    assert.equal(english.status, 400);
    assert.match(english.text, /<html lang="en"/);
    assert.match(english.text, /id="field-signatoryName"[^>]*value="Sanne Tekenaar"/);
    assert.match(english.text, /id="field-codeSignedOn"[^>]*value="gisteren"/);
    assert.match(english.text, /enter a real date \(day, month and year\) that is not in the future/);
    const [row] = await context.db.dataSource.query<{ signatory_name: string | null }[]>(
      'SELECT signatory_name FROM applications WHERE id = $1',
      [applicationId],
    );
    assert.notEqual(must(row, 'the application').signatory_name, 'Sanne Tekenaar', 'nothing saved');
    await assertValidHtml(english.text, 'application in English after the switch');
  });

  it('settings: the switch keeps the typed values and the message naming the renewal window, and stores nothing', async () => {
    const admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
    const _csrf = await tokenFor(admin, '/beheer/instellingen');
    const refused = await admin.post('/beheer/instellingen').type('form').send({
      _csrf,
      listingValidityMonths: '18',
      reminderDays: '120, 30',
      evidenceMaxFiles: '20',
      evidenceMaxTotalMb: '50',
      organisationName: testConfig.organisationName,
      contactEmail: testConfig.contactEmail,
      reviewerNotification: testConfig.reviewerNotification,
    });
    assert.equal(refused.status, 400);
    const english = await pressSwitch(admin, refused.text);
    assert.equal(english.status, 400);
    assert.match(english.text, /<html lang="en"/);
    const window = testConfig.renewalWindowDays;
    assert.ok(english.text.includes(`give days of at most ${window}: renewal opens only ${window} days`));
    assert.match(english.text, /value="120, 30"/);
    assert.match(english.text, /id="field-listingValidityMonths"[^>]*value="18"/);
    const stored = await readSettings(context.db.dataSource.manager, testConfig);
    assert.notEqual(stored.listingValidityMonths, 18, 'nothing stored');
    await assertValidHtml(english.text, 'settings in English after the switch');
  });

  it('a switch without a valid CSRF token is refused like any other form', async () => {
    const visitor = request.agent(context.app);
    const _csrf = await tokenFor(visitor, '/registreren');
    const refused = await visitor
      .post('/registreren')
      .type('form')
      .send({ ...registrationFields({ kvkNumber: '1' }), _csrf });
    const { action, fields } = languageSwitch(refused.text);
    const forged = await request(context.app)
      .post(action)
      .type('form')
      .send({ ...fields, _csrf: 'forged' });
    assert.equal(forged.status, 403);
  });
});
