import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { ApplicationDto } from '../../src/application/application.dto';
import { EmailDto, InvitationAcceptDto, RegistrationDto } from '../../src/identity/account.dto';
import { parseSettings } from '../../src/settings/settings.service';
import { ValidationError } from '../../src/shared/errors';
import { isOneLine } from '../../src/shared/forbidden-characters';
import { isMailAddress } from '../../src/shared/mail-address';
import { validated } from '../../src/shared/validation';

describe('one-line fields', () => {
  const cases: [string, boolean, string][] = [
    ['Polderwolk B.V.', true, 'a name'],
    ['’s-Hertogenbosch, Café Übersee', true, 'letters, accents and punctuation'],
    ['', true, 'nothing (whether it is required is another rule)'],
    ['a  b', true, 'two spaces'],
    ['a\u00A0b', true, 'a no-break space'],
    ['Inject\r\nBcc: evil@evil.example B.V.', false, 'CR LF'],
    ['Eve\nBcc: x', false, 'LF'],
    ['Eve\rBcc: x', false, 'CR'],
    ['a\tb', false, 'tab'],
    ['a\u000Bb', false, 'vertical tab'],
    ['a\u000Cb', false, 'form feed'],
    ['a\u0085b', false, 'next line (C1)'],
    ['a\u2028b', false, 'line separator'],
    ['a\u2029b', false, 'paragraph separator'],
    ['a\u0000b', false, 'NUL'],
    ['a\u007Fb', false, 'DEL'],
    ['a\u202Eb', false, 'right-to-left override'],
    ['Polder\u200Bwolk', false, 'zero-width space'],
    ['Polder\u200Cwolk', false, 'zero-width non-joiner'],
    ['Polder\u200Dwolk', false, 'zero-width joiner'],
    ['Polder\u2060wolk', false, 'word joiner'],
    ['\uFEFFPolderwolk', false, 'byte-order mark (zero-width no-break space)'],
    ['a\u200Ab', true, 'a hair space (visible width)'],
  ];
  for (const [text, expected, why] of cases) {
    it(`${JSON.stringify(text)}: ${expected ? 'one line' : 'refused'} (${why})`, () =>
      assert.equal(isOneLine(text), expected));
  }
});

/** The addresses nodemailer sends a mail to (envelope) and names in the To header, for `to`. */
async function nodemailerReading(to: string): Promise<{ envelope: string[]; header: string }> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = (await transport.sendMail({
    from: 'register@register.example',
    to,
    subject: 's',
    text: 't',
  })) as {
    envelope: { to: string[] };
    message: Buffer;
  };
  const header = /^To: (.*)$/m.exec(info.message.toString('utf8'))?.[1] ?? '';
  return { envelope: info.envelope.to, header };
}

describe('e-mail addresses: the usual dot-atom form only', () => {
  const accepted = [
    'jan@journey.example',
    'jan.de.vries@sub.journey.example',
    'abuse+register@polderwolk.nl',
    "o'brien@hosting.ie",
    'a_b-c@x-y.nl',
    "#!$%&'*/=?^_`{|}~-@x.nl",
    'a@xn--mller-kva.nl',
    'a@example.xn--p1ai',
    `${'a'.repeat(64)}@x.nl`,
  ];
  const refused: [string, string][] = [
    ['"a\r\nb"@x.example', 'a quoted local part with a line break (nodemailer sends it to another address)'],
    ['"a b"@x.nl', 'a quoted local part with a space'],
    ['"ab"@x.nl', 'any quoted local part'],
    ['a(comment)@x.nl', 'a comment (nodemailer makes it a display name)'],
    ['Jan <jan@x.nl>', 'a display name'],
    ['jan@x.nl, piet@x.nl', 'two addresses'],
    ['jan\r\n@x.nl', 'a line break'],
    ['jan@x.nl\nBcc: evil@evil.example', 'a header after a line break'],
    ['ja n@x.nl', 'a space'],
    ['jan\u0000@x.nl', 'a NUL'],
    ['jän@x.nl', 'a letter with an accent in the local part'],
    ['a@müller.nl', 'a Unicode domain (nodemailer rewrites it to xn--)'],
    ['.jan@x.nl', 'a leading dot'],
    ['jan.@x.nl', 'a trailing dot'],
    ['ja..n@x.nl', 'two dots in a row'],
    ['jan@x', 'no top-level domain'],
    ['jan@x.n1', 'a top-level domain with a digit'],
    ['jan@-x.nl', 'a label starting with a hyphen'],
    ['jan@x..nl', 'an empty label'],
    ['jan@[127.0.0.1]', 'an address literal'],
    ['jan@x.nl.', 'a trailing dot in the domain'],
    ['@x.nl', 'no local part'],
    ['jan', 'no domain'],
    ['jan@@x.nl', 'two at signs'],
    [`${'a'.repeat(65)}@x.nl`, 'a local part over 64 characters'],
    [`a@${'b'.repeat(64)}.nl`, 'a label over 63 characters'],
  ];
  for (const address of accepted) {
    it(`takes ${JSON.stringify(address)}, and nodemailer sends to exactly that address`, async () => {
      assert.equal(isMailAddress(address), true);
      const read = await nodemailerReading(address);
      assert.deepEqual(read.envelope, [address]);
      assert.equal(read.header, address);
    });
  }
  for (const [address, why] of refused) {
    it(`refuses ${JSON.stringify(address)}: ${why}`, () => assert.equal(isMailAddress(address), false));
  }
});

describe('the one-line rule on every form’s one-line fields', () => {
  const problems = async (run: () => Promise<unknown>): Promise<Record<string, string[]>> => {
    try {
      await run();
    } catch (error) {
      if (error instanceof ValidationError) return error.fields;
      throw error;
    }
    return {};
  };
  const broken = 'Eve\r\nBcc: evil@evil.example';

  it('registration: every text field but the passwords says "one line"', async () => {
    const fields = {
      legalName: 'Polderwolk B.V.',
      tradeNames: 'Polderwolk',
      kvkNumber: '12345678',
      vatNumber: 'NL123456782B01',
      streetAddress: 'Dijk 1',
      postcode: '1234 AB',
      city: 'Utrecht',
      website: 'https://polderwolk.example',
      abuseEmail: 'abuse@polderwolk.example',
      asNumbers: 'AS64500',
      name: 'Eve',
      email: 'eve@polderwolk.example',
      password: 'correct horse battery staple 42',
      passwordConfirmation: 'correct horse battery staple 42',
    };
    assert.deepEqual(await problems(() => validated(RegistrationDto, fields)), {});
    for (const field of Object.keys(fields)) {
      const found = await problems(() => validated(RegistrationDto, { ...fields, [field]: `a${broken}` }));
      assert.deepEqual(found, { [field]: ['validation.oneLine'] }, field);
    }
  });

  it('application details, an invitation’s name and any e-mail address', async () => {
    const details = {
      codeOfConductVersionId: '4f0f8a52-63a4-4d54-8a55-0a7d1b9b7c11',
      codeSignedOn: '2026-01-15',
      signatoryName: 'Saskia',
      signatoryRole: 'Directeur',
      aanSince: '2025-06-01',
      aanContactName: 'Anna',
      aanContactEmail: 'aan@gids.example',
    };
    const now = new Date('2026-06-01T12:00:00Z');
    for (const field of ['signatoryName', 'signatoryRole', 'aanContactName', 'aanContactEmail']) {
      const found = await problems(() => validated(ApplicationDto, { ...details, [field]: broken }, { now }));
      assert.deepEqual(found, { [field]: ['validation.oneLine'] }, field);
    }
    assert.deepEqual(
      await problems(() =>
        validated(InvitationAcceptDto, { name: broken, password: 'x', passwordConfirmation: 'x' }),
      ),
      { name: ['validation.oneLine'] },
    );
    assert.deepEqual(await problems(() => validated(EmailDto, { email: '"a\r\nb"@x.example' })), {
      email: ['validation.oneLine'],
    });
    assert.deepEqual(await problems(() => validated(EmailDto, { email: '"a b"@x.example' })), {
      email: ['validation.email'],
    });
  });

  it('settings: every field', () => {
    const values = {
      listingValidityMonths: '12',
      reminderDays: '90, 30, 7',
      evidenceMaxFiles: '20',
      evidenceMaxTotalMb: '50',
      organisationName: 'Register',
      contactEmail: 'register@register.example',
      reviewerNotification: 'each',
    };
    assert.doesNotThrow(() => parseSettings(values, 90));
    for (const field of Object.keys(values)) {
      const broke = { ...values, [field]: `${values[field as keyof typeof values]}\n1` };
      assert.throws(
        () => parseSettings(broke, 90),
        (error: unknown) =>
          error instanceof ValidationError &&
          JSON.stringify(error.fields[field]) === JSON.stringify(['validation.oneLine']),
        field,
      );
    }
    assert.throws(
      () => parseSettings({ ...values, contactEmail: '"vragen"@register.example' }, 90),
      (error: unknown) =>
        error instanceof ValidationError && error.fields.contactEmail?.[0] === 'validation.email',
    );
  });
});
