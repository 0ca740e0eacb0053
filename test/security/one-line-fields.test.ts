import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import request from 'supertest';
import { Application } from '../../src/application/application.entity';
import { User } from '../../src/identity/user.entity';
import { deliverOutbox, type MailTransport } from '../../src/mail/mail.service';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { Provider } from '../../src/provider/provider.entity';
import { readSettings } from '../../src/settings/settings.service';
import { systemClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser, registrationFields } from '../factories/user.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { csrfFrom, signedIn, signedInApplicant, submitForm, tokenFor } from '../helpers/session';
import { confirmationLinkTo } from '../helpers/outbox';

/** What the outside try sent: a header smuggled into a one-line field after a line break. */
const SMUGGLED = 'Inject\r\nBcc: evil@evil.example B.V.';
const QUOTED_ADDRESS = '"a\r\nb"@x.example';
const ONE_LINE_NL = 'dit veld is één regel: haal regeleinden, tabs en andere onzichtbare tekens weg';

/** The form shown again: 400, the message next to `field`, and the typed value back in it. */
function assertRefusedAndKept(res: request.Response, field: string, typed: string, message = ONE_LINE_NL) {
  assert.equal(res.status, 400, res.text.slice(0, 300));
  assert.match(res.text, new RegExp(`id="error-${field}"`), `a message next to ${field}`);
  assert.ok(res.text.includes(message), `the message for ${field}`);
  const escaped = typed.replace(/"/g, '&quot;').replace(/=/g, '&#x3D;');
  assert.ok(res.text.includes(`value="${escaped}"`), `what was typed in ${field} is shown again`);
}

describe('one-line fields refuse line breaks, with the value kept', () => {
  const ctx = useTestApp();
  const count = (entity: typeof Provider | typeof User) => ctx.db.dataSource.getRepository(entity).count();

  describe('POST /registreren', () => {
    for (const [field, typed] of [
      ['legalName', SMUGGLED],
      ['name', 'Eve\r\nBcc: evil@evil.example'],
      ['city', 'Utrecht\nBcc: evil@evil.example'],
      ['email', QUOTED_ADDRESS],
    ] as const) {
      it(`refuses ${field} with a line break, stores nothing and shows it again`, async () => {
        const before = { providers: await count(Provider), users: await count(User) };
        const agent = request.agent(ctx.app);
        const fields = registrationFields({ [field]: typed });
        const res = await submitForm(agent, '/registreren', '/registreren', fields);
        assertRefusedAndKept(res, field, typed);
        await assertValidHtml(res.text, `registration refused: ${field}`);
        assert.deepEqual({ providers: await count(Provider), users: await count(User) }, before);
      });
    }

    it('says it in English too', async () => {
      const agent = request.agent(ctx.app);
      const _csrf = await tokenFor(agent, '/registreren?lang=en');
      const res = await agent
        .post('/registreren')
        .type('form')
        .send({ ...registrationFields({ legalName: SMUGGLED }), _csrf });
      assertRefusedAndKept(
        res,
        'legalName',
        SMUGGLED,
        'this field is one line: remove line breaks, tabs and other invisible characters',
      );
    });

    it('refuses a quoted address without a line break too, with the e-mail message', async () => {
      const agent = request.agent(ctx.app);
      const res = await submitForm(
        agent,
        '/registreren',
        '/registreren',
        registrationFields({ abuseEmail: '"abuse desk"@polder.example' }),
      );
      assertRefusedAndKept(
        res,
        'abuseEmail',
        '"abuse desk"@polder.example',
        'vul een e-mailadres in zoals naam@voorbeeld.nl',
      );
    });
  });

  it('POST /aanvragen/:id ("Gegevens opslaan") refuses a signatory name with a line break, storing none of the details', async () => {
    const { agent, applicationId } = await signedInApplicant(ctx.app, ctx.db.dataSource);
    const version = await givenCodeVersion(ctx.db.dataSource);
    const page = await agent.get(`/aanvragen/${applicationId}`).expect(200);
    const stored = await ctx.db.dataSource.getRepository(Application).findOneByOrFail({ id: applicationId });
    const typed = 'Saskia\r\nBcc: evil@evil.example';
    let req = agent.post(`/aanvragen/${applicationId}`).field('_csrf', csrfFrom(page.text));
    for (const [name, value] of Object.entries({
      version: String(stored.version),
      codeOfConductVersionId: version.id,
      codeSignedOn: '2026-01-15',
      signatoryName: typed,
      signatoryRole: 'Directeur',
      aanSince: '2025-06-01',
      aanContactName: 'Anna AAN',
      aanContactEmail: 'aan@gids.example',
    }))
      req = req.field(name, value);
    const res = await req;
    assertRefusedAndKept(res, 'signatoryName', typed);
    assert.doesNotMatch(res.text, /id="error-(signatoryRole|aanContactName|aanContactEmail)"/);
    await assertValidHtml(res.text, 'application refused: signatory name');
    const after = await ctx.db.dataSource.getRepository(Application).findOneByOrFail({ id: applicationId });
    assert.equal(after.signatoryName, null);
    assert.equal(after.typedDetails, null, 'saving keeps nothing invalid aside');
  });

  it('POST /beheer/medewerkers refuses an invitation address with a line break, sending nothing', async () => {
    const admin = await signedIn(ctx.app, await givenUser(ctx.db.dataSource, 'admin'));
    const mails = await ctx.db.dataSource.getRepository(OutboxMail).count();
    const res = await submitForm(admin, '/beheer/medewerkers', '/beheer/medewerkers', {
      email: QUOTED_ADDRESS,
      role: 'reviewer',
    });
    assertRefusedAndKept(res, 'email', QUOTED_ADDRESS);
    await assertValidHtml(res.text, 'staff invitation refused');
    assert.equal(await ctx.db.dataSource.getRepository(OutboxMail).count(), mails);
  });

  it('POST /beheer/instellingen refuses an organisation name and a contact address with a line break', async () => {
    const admin = await signedIn(ctx.app, await givenUser(ctx.db.dataSource, 'admin'));
    const res = await submitForm(admin, '/beheer/instellingen', '/beheer/instellingen', {
      listingValidityMonths: '12',
      reminderDays: '90, 30, 7',
      evidenceMaxFiles: '20',
      evidenceMaxTotalMb: '50',
      organisationName: SMUGGLED,
      contactEmail: 'vragen@register.example\r\nBcc: evil@evil.example',
      reviewerNotification: 'each',
    });
    assertRefusedAndKept(res, 'organisationName', SMUGGLED);
    assertRefusedAndKept(res, 'contactEmail', 'vragen@register.example\r\nBcc: evil@evil.example');
    await assertValidHtml(res.text, 'settings refused');
    const settings = await readSettings(ctx.db.dataSource.manager, testConfig);
    assert.equal(settings.organisationName, testConfig.organisationName);
    assert.equal(settings.contactEmail, testConfig.contactEmail);
  });
});

describe('the address an account is stored with is the address its mail goes to', () => {
  const ctx = useTestApp();

  it('registers an unusual but plain address and delivers the receipt to exactly that address', async () => {
    const email = `o'brien+register.${Date.now()}@sub.polder-wolk.example`;
    const agent = request.agent(ctx.app);
    const res = await submitForm(agent, '/registreren', '/registreren', registrationFields({ email }));
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const link = await confirmationLinkTo(ctx.db.dataSource, email);
    assert.equal((await submitForm(agent, link, link, {})).status, 200);
    const user = await ctx.db.dataSource.getRepository(User).findOneByOrFail({ email });
    const queued = await ctx.db.dataSource.getRepository(OutboxMail).findBy({ recipient: user.email });
    assert.ok(queued.length > 0, 'a mail waits for the new account');

    // Delivered the way the register delivers: nodemailer builds the message and its envelope.
    const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const delivered: { to: string; envelope: string[]; header: string }[] = [];
    const transport: MailTransport = {
      sendMail: async (message) => {
        const info = (await composer.sendMail(message)) as { envelope: { to: string[] }; message: Buffer };
        const header = /^To: (.*)$/m.exec(info.message.toString('utf8'))?.[1] ?? '';
        delivered.push({ to: message.to, envelope: info.envelope.to, header });
      },
    };
    await deliverOutbox(
      ctx.db.dataSource,
      transport,
      testConfig.mailFrom,
      createLogger('silent'),
      systemClock,
    );
    const mine = delivered.filter((d) => d.to === user.email);
    assert.equal(mine.length, queued.length);
    for (const mail of mine) {
      assert.deepEqual(mail.envelope, [user.email], 'the SMTP recipient is the stored address');
      assert.equal(mail.header, user.email, 'the To header is the stored address');
    }
  });

  it('refuses the address the outside try used, so no mail can go to another address than stored', async () => {
    const agent = request.agent(ctx.app);
    const res = await submitForm(
      agent,
      '/registreren',
      '/registreren',
      registrationFields({ email: '"a\r\nb"@x.example' }),
    );
    assert.equal(res.status, 400);
    assert.equal(await ctx.db.dataSource.getRepository(User).countBy({ email: 'arnb@x.example' }), 0);
  });
});
