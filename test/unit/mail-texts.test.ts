import assert from 'node:assert/strict';
import { mailTexts } from '../../src/mail/messages';

const TO = 'info@hosting.example';
// Braces and a replacement pattern in a name must come through as typed, never be filled in.
const ORG = 'Hosting {label} $& Co B.V.';
// Local midnight in Amsterdam: in UTC these are still the day before.
const MARCH_1 = new Date('2027-02-28T23:00:00Z');
const JANUARY_31 = new Date('2027-01-30T23:00:00Z');
const digestLine = (name: string, submittedAt: Date) => ({
  organisation: name,
  kvkNumber: '12345678',
  submittedAt,
  link: `http://register.test/beoordeling/aanvragen/${name}`,
});

/** Every mail word for word, so moving the texts to the locale files changes none of them. */
describe('mail texts', () => {
  const cases: [string, () => { to: string; subject: string; body: string }, string, string][] = [
    [
      'a new code-of-conduct version',
      () =>
        mailTexts.newCodeVersion(
          TO,
          ORG,
          { label: '2027.1', publishedAt: JANUARY_31, announced: false },
          { label: '2.0', lapsesAt: MARCH_1, lapsed: false },
          'http://register.test/account',
        ),
      'Nieuwe versie 2027.1 van de gedragscode / New version 2027.1 of the code of conduct',
      'Versie 2027.1 van de gedragscode is gepubliceerd. De versie die Hosting {label} $& Co B.V. ondertekende (2.0), blijft geldig tot 1 maart 2027. Onderteken vóór die datum de nieuwe versie en dien een aanvraag in; anders is Hosting {label} $& Co B.V. vanaf 1 maart 2027 niet meer verantwoord.\nhttp://register.test/account\n\n---\n\nVersion 2027.1 of the code of conduct has been published. The version Hosting {label} $& Co B.V. signed (2.0) stays valid until 1 March 2027. Sign the new version before that date and apply; otherwise Hosting {label} $& Co B.V. is no longer responsible from 1 March 2027.\nhttp://register.test/account\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a code version announced for after the signed version lapses',
      () =>
        mailTexts.newCodeVersion(
          TO,
          'Hosting B.V.',
          { label: '4.0', publishedAt: MARCH_1, announced: true },
          { label: '2.0', lapsesAt: JANUARY_31, lapsed: false },
          'http://register.test/account',
        ),
      'Aangekondigd: versie 4.0 van de gedragscode, vanaf 1 maart 2027 / Announced: version 4.0 of the code of conduct, from 1 March 2027',
      'Versie 4.0 van de gedragscode wordt gepubliceerd op 1 maart 2027; vanaf dan kunt u een aanvraag op deze versie indienen. De versie die Hosting B.V. ondertekende (2.0), blijft geldig tot 31 januari 2027, dus tot vóór die publicatie. Onderteken vóór 31 januari 2027 een versie die nu al geldt en dien een aanvraag in; anders is Hosting B.V. vanaf 31 januari 2027 niet meer verantwoord.\nhttp://register.test/account\n\n---\n\nVersion 4.0 of the code of conduct will be published on 1 March 2027; from then on you can apply on this version. The version Hosting B.V. signed (2.0) stays valid until 31 January 2027, which is before that publication. Sign a version in force now before 31 January 2027 and apply; otherwise Hosting B.V. is no longer responsible from 31 January 2027.\nhttp://register.test/account\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a code version published after the signed version lapsed',
      () =>
        mailTexts.newCodeVersion(
          TO,
          'Hosting B.V.',
          { label: '4.0', publishedAt: MARCH_1, announced: false },
          { label: '2.0', lapsesAt: JANUARY_31, lapsed: true },
          'http://register.test/account',
        ),
      'Nieuwe versie 4.0 van de gedragscode / New version 4.0 of the code of conduct',
      'Versie 4.0 van de gedragscode is gepubliceerd of aangekondigd (vanaf 1 maart 2027). De versie die Hosting B.V. ondertekende (2.0), is vervallen op 31 januari 2027; daardoor is Hosting B.V. niet verantwoord. Onderteken een versie die geldt en dien een aanvraag in.\nhttp://register.test/account\n\n---\n\nVersion 4.0 of the code of conduct has been published or announced (from 1 March 2027). The version Hosting B.V. signed (2.0) lapsed on 31 January 2027; so Hosting B.V. is not responsible. Sign a version in force and apply.\nhttp://register.test/account\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a renewal reminder, 20 days ahead',
      () => mailTexts.renewalReminder(TO, ORG, JANUARY_31, 20, 'http://register.test/account'),
      'Vermelding van Hosting {label} $& Co B.V. loopt af op 31 januari 2027 / Listing of Hosting {label} $& Co B.V. ends on 31 January 2027',
      'De vermelding van Hosting {label} $& Co B.V. in het Register Verantwoorde Hostingproviders loopt over 20 dagen af, op 31 januari 2027. Vraag op tijd verlenging aan, dan loopt de vermelding zonder onderbreking door:\nhttp://register.test/account\n\n---\n\nThe listing of Hosting {label} $& Co B.V. in the Register of Responsible Hosting Providers ends in 20 days, on 31 January 2027. Apply for renewal in time and the listing continues without a break:\nhttp://register.test/account\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a renewal reminder on the last day',
      () => mailTexts.renewalReminder(TO, ORG, JANUARY_31, 0, 'http://register.test/account'),
      'Vermelding van Hosting {label} $& Co B.V. loopt af op 31 januari 2027 / Listing of Hosting {label} $& Co B.V. ends on 31 January 2027',
      'De vermelding van Hosting {label} $& Co B.V. in het Register Verantwoorde Hostingproviders loopt over 0 dagen af, op 31 januari 2027. Vraag op tijd verlenging aan, dan loopt de vermelding zonder onderbreking door:\nhttp://register.test/account\n\n---\n\nThe listing of Hosting {label} $& Co B.V. in the Register of Responsible Hosting Providers ends in 0 days, on 31 January 2027. Apply for renewal in time and the listing continues without a break:\nhttp://register.test/account\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a renewal reminder one day ahead (singular)',
      () => mailTexts.renewalReminder(TO, ORG, JANUARY_31, 1, 'http://register.test/account'),
      'Vermelding van Hosting {label} $& Co B.V. loopt af op 31 januari 2027 / Listing of Hosting {label} $& Co B.V. ends on 31 January 2027',
      'De vermelding van Hosting {label} $& Co B.V. in het Register Verantwoorde Hostingproviders loopt over 1 dag af, op 31 januari 2027. Vraag op tijd verlenging aan, dan loopt de vermelding zonder onderbreking door:\nhttp://register.test/account\n\n---\n\nThe listing of Hosting {label} $& Co B.V. in the Register of Responsible Hosting Providers ends in 1 day, on 31 January 2027. Apply for renewal in time and the listing continues without a break:\nhttp://register.test/account\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'the reviewers digest of three applications',
      () =>
        mailTexts.reviewerDigest(TO, [
          digestLine('A', JANUARY_31),
          digestLine('B', MARCH_1),
          digestLine('C', new Date('2027-07-14T12:00:00Z')),
        ]),
      '3 aanvragen wachten langer dan 10 werkdagen / 3 applications have waited longer than 10 working days',
      'Deze aanvragen wachten langer dan 10 werkdagen op een besluit:\n- A (KvK 12345678), ingediend op 31 januari 2027: http://register.test/beoordeling/aanvragen/A\n- B (KvK 12345678), ingediend op 1 maart 2027: http://register.test/beoordeling/aanvragen/B\n- C (KvK 12345678), ingediend op 14 juli 2027: http://register.test/beoordeling/aanvragen/C\n\n---\n\nThese applications have waited longer than 10 working days for a decision:\n- A (KvK 12345678), submitted on 31 January 2027: http://register.test/beoordeling/aanvragen/A\n- B (KvK 12345678), submitted on 1 March 2027: http://register.test/beoordeling/aanvragen/B\n- C (KvK 12345678), submitted on 14 July 2027: http://register.test/beoordeling/aanvragen/C\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'the reviewers digest of one application (singular)',
      () => mailTexts.reviewerDigest(TO, [digestLine('A', MARCH_1)]),
      '1 aanvraag wacht langer dan 10 werkdagen / 1 application has waited longer than 10 working days',
      'Deze aanvraag wacht langer dan 10 werkdagen op een besluit:\n- A (KvK 12345678), ingediend op 1 maart 2027: http://register.test/beoordeling/aanvragen/A\n\n---\n\nThis application has waited longer than 10 working days for a decision:\n- A (KvK 12345678), submitted on 1 March 2027: http://register.test/beoordeling/aanvragen/A\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'an invitation to an organisation',
      () => mailTexts.invitation(TO, ORG, 'Ines Inviter', 'http://register.test/uitnodiging/abc'),
      'Uitnodiging voor Hosting {label} $& Co B.V. / Invitation for Hosting {label} $& Co B.V.',
      'Ines Inviter nodigt u uit om namens Hosting {label} $& Co B.V. het Register Verantwoorde Hostingproviders te gebruiken.\nKies uw wachtwoord via deze link (7 dagen geldig, één keer te gebruiken):\nhttp://register.test/uitnodiging/abc\n\n---\n\nInes Inviter invites you to use the Register of Responsible Hosting Providers on behalf of Hosting {label} $& Co B.V.\nChoose your password through this link (valid for 7 days, single use):\nhttp://register.test/uitnodiging/abc\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'an invitation for staff',
      () => mailTexts.staffInvitation(TO, 'reviewer', 'http://register.test/uitnodiging/abc'),
      'Uitnodiging voor het Register Verantwoorde Hostingproviders / Invitation to the Register of Responsible Hosting Providers',
      'U bent uitgenodigd als beoordelaar. Kies uw wachtwoord via deze link (7 dagen geldig, één keer te gebruiken):\nhttp://register.test/uitnodiging/abc\n\n---\n\nYou have been invited with the role reviewer. Choose your password through this link (valid for 7 days, single use):\nhttp://register.test/uitnodiging/abc\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      "an invitation to a signal supplier's person",
      () => mailTexts.signalSupplierInvitation(TO, ORG, 'http://register.test/uitnodiging/abc'),
      'Uitnodiging namens Hosting {label} $& Co B.V. voor het Register Verantwoorde Hostingproviders / Invitation on behalf of Hosting {label} $& Co B.V. to the Register of Responsible Hosting Providers',
      'U bent uitgenodigd als signaalleverancier namens Hosting {label} $& Co B.V.: u geeft signalen over wederverkopers door aan het register. Kies uw wachtwoord via deze link (7 dagen geldig, één keer te gebruiken):\nhttp://register.test/uitnodiging/abc\n\n---\n\nYou have been invited as a signal supplier on behalf of Hosting {label} $& Co B.V.: you pass signals about resellers to the register. Choose your password through this link (valid for 7 days, single use):\nhttp://register.test/uitnodiging/abc\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a password reset link',
      () => mailTexts.passwordReset(TO, 'http://register.test/wachtwoord-herstellen/abc'),
      'Wachtwoord herstellen / Reset your password',
      'Via deze link kiest u een nieuw wachtwoord. De link is één uur geldig en één keer te gebruiken:\nhttp://register.test/wachtwoord-herstellen/abc\nHeeft u dit niet aangevraagd? Dan kunt u deze e-mail negeren.\n\n---\n\nUse this link to choose a new password. It is valid for one hour and can be used once:\nhttp://register.test/wachtwoord-herstellen/abc\nDid you not ask for this? Then you can ignore this e-mail.\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'an approval without a message',
      () => mailTexts.decision(TO, ORG, 'approve', null, 'http://register.test/aanvragen/1'),
      'Besluit over de aanvraag van Hosting {label} $& Co B.V. / Decision on the application of Hosting {label} $& Co B.V.',
      'Uw aanvraag is goedgekeurd. Uw organisatie staat nu als verantwoorde hostingprovider in het register.\n\nBekijk de aanvraag: http://register.test/aanvragen/1\n\n---\n\nYour application has been approved. Your organisation is now listed as a responsible hosting provider.\n\nView the application: http://register.test/aanvragen/1\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a rejection with the message of the reviewer',
      () =>
        mailTexts.decision(
          TO,
          ORG,
          'reject',
          'Geen geldige ondertekening. {message}',
          'http://register.test/aanvragen/1',
        ),
      'Besluit over de aanvraag van Hosting {label} $& Co B.V. / Decision on the application of Hosting {label} $& Co B.V.',
      "Uw aanvraag is afgewezen.\n\nToelichting van de beoordelaar:\nGeen geldige ondertekening. {message}\n\nBekijk de aanvraag: http://register.test/aanvragen/1\n\n---\n\nYour application has been rejected.\n\nThe reviewer's message:\nGeen geldige ondertekening. {message}\n\nView the application: http://register.test/aanvragen/1\n\n--\nRegister Verantwoorde Hostingproviders\n",
    ],
    [
      'a request for changes with the message of the reviewer',
      () =>
        mailTexts.decision(
          TO,
          ORG,
          'request_changes',
          'Graag de AAN-bevestiging.',
          'http://register.test/aanvragen/1',
        ),
      'Besluit over de aanvraag van Hosting {label} $& Co B.V. / Decision on the application of Hosting {label} $& Co B.V.',
      "De beoordelaar vraagt u de aanvraag aan te passen en opnieuw in te dienen.\n\nToelichting van de beoordelaar:\nGraag de AAN-bevestiging.\n\nBekijk de aanvraag: http://register.test/aanvragen/1\n\n---\n\nThe reviewer asks you to change the application and submit it again.\n\nThe reviewer's message:\nGraag de AAN-bevestiging.\n\nView the application: http://register.test/aanvragen/1\n\n--\nRegister Verantwoorde Hostingproviders\n",
    ],
    [
      'a suspension with its reason',
      () => mailTexts.statusChange(TO, ORG, 'suspend', 'Klachten', 'http://register.test/hostingproviders/1'),
      'Statuswijziging van Hosting {label} $& Co B.V. / Status change of Hosting {label} $& Co B.V.',
      "De vermelding van uw organisatie is geschorst.\n\nReden: Klachten\n\nhttp://register.test/hostingproviders/1\n\n---\n\nYour organisation's listing has been suspended.\n\nReason: Klachten\n\nhttp://register.test/hostingproviders/1\n\n--\nRegister Verantwoorde Hostingproviders\n",
    ],
    [
      'a lifted suspension without a reason',
      () => mailTexts.statusChange(TO, ORG, 'lift', null, 'http://register.test/hostingproviders/1'),
      'Statuswijziging van Hosting {label} $& Co B.V. / Status change of Hosting {label} $& Co B.V.',
      "De schorsing van uw organisatie is opgeheven.\n\nhttp://register.test/hostingproviders/1\n\n---\n\nThe suspension of your organisation's listing has been lifted.\n\nhttp://register.test/hostingproviders/1\n\n--\nRegister Verantwoorde Hostingproviders\n",
    ],
    [
      'a revocation with its reason',
      () =>
        mailTexts.statusChange(TO, ORG, 'revoke', 'Ingetrokken', 'http://register.test/hostingproviders/1'),
      'Statuswijziging van Hosting {label} $& Co B.V. / Status change of Hosting {label} $& Co B.V.',
      "De vermelding van uw organisatie is ingetrokken.\n\nReden: Ingetrokken\n\nhttp://register.test/hostingproviders/1\n\n---\n\nYour organisation's listing has been revoked.\n\nReason: Ingetrokken\n\nhttp://register.test/hostingproviders/1\n\n--\nRegister Verantwoorde Hostingproviders\n",
    ],
    [
      'a receipt of a registration (sent once its address is confirmed): the account page and the contact address',
      () =>
        mailTexts.registrationReceipt(
          TO,
          'Hosting B.V.',
          '12345678',
          'http://register.test/account',
          'vragen@register.example',
        ),
      'Registratie van Hosting B.V. ontvangen / Registration of Hosting B.V. received',
      'Hosting B.V. (KvK 12345678) is geregistreerd bij het Register Verantwoorde Hostingproviders. Een beoordelaar bevestigt wie uw organisatie is; tot dan staat zij niet in het openbare register. U kunt nu inloggen en een aanvraag voor vermelding beginnen, op uw accountpagina:\nhttp://register.test/account\n\nVragen, of bent u het niet eens met een besluit van het register? Schrijf naar vragen@register.example.\n\n---\n\nHosting B.V. (KvK 12345678) has been registered with the Register of Responsible Hosting Providers. A reviewer will confirm who your organisation is; until then it does not appear in the public register. You can now log in and start an application for listing, on your account page:\nhttp://register.test/account\n\nQuestions, or do you disagree with a decision of the register? Write to vragen@register.example.\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'the link of a pending registration: nothing the form typed, only the link',
      () => mailTexts.registrationConfirmation(TO, 'http://register.test/e-mailadres-bevestigen/abc'),
      'Bevestig uw e-mailadres om de registratie af te ronden / Confirm your e-mail address to complete the registration',
      'Met dit e-mailadres is een organisatie aangemeld bij het Register Verantwoorde Hostingproviders. Bevestig via deze link dat dit uw e-mailadres is; pas dan wordt de organisatie geregistreerd. De link is 24 uur geldig en één keer te gebruiken:\nhttp://register.test/e-mailadres-bevestigen/abc\nHeeft u zich niet aangemeld? Dan kunt u deze e-mail negeren: na 24 uur is de aanmelding verdwenen en is er niets geregistreerd.\n\n---\n\nAn organisation was registered with the Register of Responsible Hosting Providers with this e-mail address. Confirm through this link that this is your e-mail address; only then is the organisation registered. The link is valid for 24 hours and can be used once:\nhttp://register.test/e-mailadres-bevestigen/abc\nDid you not register? Then you can ignore this e-mail: after 24 hours the registration is gone and nothing has been registered.\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a new confirmation link',
      () => mailTexts.emailConfirmation(TO, 'http://register.test/e-mailadres-bevestigen/abc'),
      'Bevestig uw e-mailadres / Confirm your e-mail address',
      'Via deze link bevestigt u uw e-mailadres bij het Register Verantwoorde Hostingproviders. De link is 24 uur geldig en één keer te gebruiken:\nhttp://register.test/e-mailadres-bevestigen/abc\nHeeft u niet geprobeerd in te loggen? Dan kunt u deze e-mail negeren.\n\n---\n\nThrough this link you confirm your e-mail address with the Register of Responsible Hosting Providers. The link is valid for 24 hours and can be used once:\nhttp://register.test/e-mailadres-bevestigen/abc\nDid you not try to log in? Then you can ignore this e-mail.\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a receipt of a submitted renewal',
      () =>
        mailTexts.submissionReceipt(
          TO,
          'Hosting B.V.',
          'renewal',
          MARCH_1,
          'http://register.test/aanvragen/1',
          'vragen@register.example',
        ),
      'Aanvraag van Hosting B.V. ontvangen / Application of Hosting B.V. received',
      'Het register heeft de aanvraag voor verlenging van Hosting B.V. op 1 maart 2027 ontvangen. Een beoordelaar beoordeelt haar; u krijgt het besluit per mail. U volgt de aanvraag hier:\nhttp://register.test/aanvragen/1\n\nVragen, of bent u het niet eens met een besluit van het register? Schrijf naar vragen@register.example.\n\n---\n\nThe register received the application for renewal of Hosting B.V. on 1 March 2027. A reviewer will assess it; you will get the decision by mail. You can follow the application here:\nhttp://register.test/aanvragen/1\n\nQuestions, or do you disagree with a decision of the register? Write to vragen@register.example.\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a new submission, to a reviewer',
      () => mailTexts.newSubmission(TO, digestLine('Hosting B.V.', MARCH_1), 'listing'),
      'Nieuwe aanvraag: Hosting B.V. / New application: Hosting B.V.',
      'Hosting B.V. (KvK 12345678) heeft op 1 maart 2027 een aanvraag voor vermelding ingediend. Zij wacht op beoordeling:\nhttp://register.test/beoordeling/aanvragen/Hosting B.V.\n\n---\n\nHosting B.V. (KvK 12345678) submitted an application for listing on 1 March 2027. It is waiting for review:\nhttp://register.test/beoordeling/aanvragen/Hosting B.V.\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      "a provider's message about its application, to a reviewer",
      () =>
        mailTexts.providerReply(TO, {
          organisation: ORG,
          kvkNumber: '12345678',
          sentAt: MARCH_1,
          link: 'http://register.test/beoordeling/aanvragen/a1#messages-heading',
        }),
      'Bericht van Hosting {label} $& Co B.V. bij hun aanvraag / Message from Hosting {label} $& Co B.V. about their application',
      'Hosting {label} $& Co B.V. (KvK 12345678) heeft op 1 maart 2027 een bericht gestuurd bij hun aanvraag. Het wacht op uw antwoord; u leest het op de aanvraag:\nhttp://register.test/beoordeling/aanvragen/a1#messages-heading\n\n---\n\nHosting {label} $& Co B.V. (KvK 12345678) sent a message about their application on 1 March 2027. It is waiting for your answer; you can read it on the application:\nhttp://register.test/beoordeling/aanvragen/a1#messages-heading\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'the daily mail of new submissions, two',
      () =>
        mailTexts.submissionDigest(TO, [
          digestLine('Alfa B.V.', JANUARY_31),
          digestLine('Beta B.V.', MARCH_1),
        ]),
      '2 nieuwe aanvragen ingediend / 2 new applications submitted',
      'Deze aanvragen zijn sinds de vorige dagelijkse mail ingediend en wachten op beoordeling:\n- Alfa B.V. (KvK 12345678), ingediend op 31 januari 2027: http://register.test/beoordeling/aanvragen/Alfa B.V.\n- Beta B.V. (KvK 12345678), ingediend op 1 maart 2027: http://register.test/beoordeling/aanvragen/Beta B.V.\n\n---\n\nThese applications were submitted since the previous daily mail and are waiting for review:\n- Alfa B.V. (KvK 12345678), submitted on 31 January 2027: http://register.test/beoordeling/aanvragen/Alfa B.V.\n- Beta B.V. (KvK 12345678), submitted on 1 March 2027: http://register.test/beoordeling/aanvragen/Beta B.V.\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a listing ended by a lapsed code version',
      () => mailTexts.listingEnded(TO, 'Hosting B.V.', 'lapsed', MARCH_1, 'http://register.test/account'),
      'Hosting B.V. staat niet meer als verantwoord vermeld / Hosting B.V. is no longer listed as responsible',
      'De versie van de gedragscode die Hosting B.V. ondertekende, geldt sinds 1 maart 2027 niet meer: de overgangstermijn is voorbij. Vanaf dan staat Hosting B.V. niet meer als verantwoord vermeld. Dien een aanvraag in op de geldende versie, op uw accountpagina:\nhttp://register.test/account\n\n---\n\nThe version of the code of conduct that Hosting B.V. signed is no longer accepted as of 1 March 2027: its transition period is over. From then on Hosting B.V. is not listed as responsible. Start an application on the version in force on your account page:\nhttp://register.test/account\n\n--\nRegister Verantwoorde Hostingproviders\n',
    ],
    [
      'a suspension with its reason, its planned end and the contact address',
      () =>
        mailTexts.statusChange(
          TO,
          'Hosting B.V.',
          'suspend',
          'Klachten',
          'http://register.test/hostingproviders/1',
          {
            until: MARCH_1,
            contact: 'vragen@register.example',
          },
        ),
      'Statuswijziging van Hosting B.V. / Status change of Hosting B.V.',
      "De vermelding van uw organisatie is geschorst.\n\nReden: Klachten\n\nDe schorsing loopt tot 1 maart 2027.\n\nhttp://register.test/hostingproviders/1\n\nVragen, of bent u het niet eens met een besluit van het register? Schrijf naar vragen@register.example.\n\n---\n\nYour organisation's listing has been suspended.\n\nReason: Klachten\n\nThe suspension lasts until 1 March 2027.\n\nhttp://register.test/hostingproviders/1\n\nQuestions, or do you disagree with a decision of the register? Write to vragen@register.example.\n\n--\nRegister Verantwoorde Hostingproviders\n",
    ],
  ];
  for (const [name, mail, subject, body] of cases) {
    it(name, () => {
      assert.deepEqual(mail(), { to: TO, subject, body });
    });
  }

  it('writes every date in words in each language, never as YYYY-MM-DD', () => {
    for (const [name, mail] of cases) {
      const { subject, body } = mail();
      assert.doesNotMatch(`${subject}\n${body}`, /\d{4}-\d{2}-\d{2}/, name);
    }
  });

  it('names the role of a staff invitation in each half in that half’s language', () => {
    const { body } = mailTexts.staffInvitation(TO, 'admin', 'http://register.test/uitnodiging/abc');
    const [dutch, english] = body.split('\n\n---\n\n');
    assert.match(dutch ?? '', /uitgenodigd als beheerder\./);
    assert.match(english ?? '', /with the role administrator\./);
  });
});
