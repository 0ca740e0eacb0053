import type { Mail } from './mail.service';

/** Every mail is bilingual: Dutch first, then English. */
function bilingual(to: string, subjectNl: string, subjectEn: string, nl: string, en: string): Mail {
  return {
    to,
    subject: `${subjectNl} / ${subjectEn}`,
    body: `${nl}\n\n---\n\n${en}\n\n--\nRegister Verantwoorde Hostingproviders\n`,
  };
}

export const mailTexts = {
  newCodeVersion: (to: string, organisation: string, label: string, transitionEnd: string, link: string) =>
    bilingual(
      to,
      `Nieuwe versie ${label} van de gedragscode`,
      `New version ${label} of the code of conduct`,
      `Versie ${label} van de gedragscode is gepubliceerd. De versie die ${organisation} ondertekende, blijft geldig tot ${transitionEnd}. Onderteken vóór die datum de nieuwe versie en dien een aanvraag in; anders is ${organisation} vanaf ${transitionEnd} niet meer verantwoord.\n${link}`,
      `Version ${label} of the code of conduct has been published. The version ${organisation} signed stays valid until ${transitionEnd}. Sign the new version before that date and apply; otherwise ${organisation} is no longer verantwoord from ${transitionEnd}.\n${link}`,
    ),
  renewalReminder: (to: string, organisation: string, endDate: string, days: number, link: string) =>
    bilingual(
      to,
      `Vermelding van ${organisation} loopt af op ${endDate}`,
      `Listing of ${organisation} ends on ${endDate}`,
      `De vermelding van ${organisation} in het Register Verantwoorde Hostingproviders loopt over ${days} dagen af, op ${endDate}. Vraag op tijd verlenging aan, dan loopt de vermelding zonder onderbreking door:\n${link}`,
      `The listing of ${organisation} in the Register of Responsible Hosting Providers ends in ${days} days, on ${endDate}. Apply for renewal in time and the listing continues without a break:\n${link}`,
    ),
  reviewerDigest: (to: string, count: number, list: string) =>
    bilingual(
      to,
      `${count} aanvragen wachten langer dan 10 werkdagen`,
      `${count} applications have waited longer than 10 working days`,
      `Deze aanvragen wachten langer dan 10 werkdagen op een besluit:\n${list}`,
      `These applications have waited longer than 10 working days for a decision (list above).`,
    ),
  invitation: (to: string, organisation: string, inviter: string, link: string) =>
    bilingual(
      to,
      `Uitnodiging voor ${organisation}`,
      `Invitation for ${organisation}`,
      `${inviter} nodigt u uit om namens ${organisation} het Register Verantwoorde Hostingproviders te gebruiken.\nKies uw wachtwoord via deze link (7 dagen geldig, één keer te gebruiken):\n${link}`,
      `${inviter} invites you to use the Register of Responsible Hosting Providers on behalf of ${organisation}.\nChoose your password through this link (valid for 7 days, single use):\n${link}`,
    ),
  staffInvitation: (to: string, role: string, link: string) =>
    bilingual(
      to,
      'Uitnodiging voor het Register Verantwoorde Hostingproviders',
      'Invitation to the Register of Responsible Hosting Providers',
      `U bent uitgenodigd als ${role}. Kies uw wachtwoord via deze link (7 dagen geldig, één keer te gebruiken):\n${link}`,
      `You have been invited as ${role}. Choose your password through this link (valid for 7 days, single use):\n${link}`,
    ),
  passwordReset: (to: string, link: string) =>
    bilingual(
      to,
      'Wachtwoord herstellen',
      'Reset your password',
      `Via deze link kiest u een nieuw wachtwoord. De link is één uur geldig en één keer te gebruiken:\n${link}\nHeeft u dit niet aangevraagd? Dan kunt u deze e-mail negeren.`,
      `Use this link to choose a new password. It is valid for one hour and can be used once:\n${link}\nDid you not ask for this? Then you can ignore this e-mail.`,
    ),
  decision: (
    to: string,
    organisation: string,
    nl: string,
    en: string,
    message: string | null,
    link: string,
  ) =>
    bilingual(
      to,
      `Besluit over de aanvraag van ${organisation}`,
      `Decision on the application of ${organisation}`,
      `${nl}${message ? `\n\nToelichting van de beoordelaar:\n${message}` : ''}\n\nBekijk de aanvraag: ${link}`,
      `${en}${message ? `\n\nThe reviewer's message:\n${message}` : ''}\n\nView the application: ${link}`,
    ),
  statusChange: (
    to: string,
    organisation: string,
    nl: string,
    en: string,
    reason: string | null,
    link: string,
  ) =>
    bilingual(
      to,
      `Statuswijziging van ${organisation}`,
      `Status change of ${organisation}`,
      `${nl}${reason ? `\n\nReden: ${reason}` : ''}\n\n${link}`,
      `${en}${reason ? `\n\nReason: ${reason}` : ''}\n\n${link}`,
    ),
};
