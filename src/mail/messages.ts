import { type Language, translate } from '../shared/i18n';
import type { Mail } from './mail.service';

/** One text of a mail in one language. */
type Text = (language: Language) => string;

/** The text of `key` in the locale files under `mail.`, with its placeholders filled in. */
const text =
  (key: string, params: Record<string, unknown> = {}): Text =>
  (language) =>
    translate(language, `mail.${key}`, params);

/** Paragraphs, left out when empty, with a blank line between them. */
const paragraphs =
  (...parts: (Text | undefined)[]): Text =>
  (language) =>
    parts.flatMap((part) => (part ? [part(language)] : [])).join('\n\n');

/** Every mail is bilingual: Dutch first, then English. */
function bilingual(to: string, subject: Text, body: Text): Mail {
  return {
    to,
    subject: `${subject('nl')} / ${subject('en')}`,
    body: `${body('nl')}\n\n---\n\n${body('en')}\n\n--\n${translate('nl', 'mail.signature')}\n`,
  };
}

/** What a reviewer decided on an application, as the provider hears it. */
export type DecisionMail = 'approve' | 'reject' | 'request_changes';
/** What a reviewer did to a provider's listing, as the provider hears it. */
export type StatusChangeMail = 'suspend' | 'lift' | 'revoke';

export const mailTexts = {
  newCodeVersion: (to: string, organisation: string, label: string, transitionEnd: string, link: string) => {
    const params = { organisation, label, transitionEnd, link };
    return bilingual(to, text('newCodeVersion.subject', params), text('newCodeVersion.body', params));
  },
  codeVersionWithdrawn: (to: string, organisation: string, label: string, link: string) => {
    const params = { organisation, label, link };
    return bilingual(
      to,
      text('codeVersionWithdrawn.subject', params),
      text('codeVersionWithdrawn.body', params),
    );
  },
  renewalReminder: (to: string, organisation: string, endDate: string, days: number, link: string) => {
    const params = { organisation, endDate, count: days, link };
    return bilingual(to, text('renewalReminder.subject', params), text('renewalReminder.body', params));
  },
  reviewerDigest: (to: string, count: number, list: string) =>
    bilingual(to, text('reviewerDigest.subject', { count }), text('reviewerDigest.body', { count, list })),
  invitation: (to: string, organisation: string, inviter: string, link: string) => {
    const params = { organisation, inviter, link };
    return bilingual(to, text('invitation.subject', params), text('invitation.body', params));
  },
  staffInvitation: (to: string, role: string, link: string) =>
    bilingual(to, text('staffInvitation.subject'), text('staffInvitation.body', { role, link })),
  passwordReset: (to: string, link: string) =>
    bilingual(to, text('passwordReset.subject'), text('passwordReset.body', { link })),
  decision: (
    to: string,
    organisation: string,
    decision: DecisionMail,
    message: string | null,
    link: string,
  ) =>
    bilingual(
      to,
      text('decision.subject', { organisation }),
      paragraphs(
        text(`decision.${decision}`),
        message ? text('decision.message', { message }) : undefined,
        text('decision.link', { link }),
      ),
    ),
  statusChange: (
    to: string,
    organisation: string,
    change: StatusChangeMail,
    reason: string | null,
    link: string,
  ) =>
    bilingual(
      to,
      text('statusChange.subject', { organisation }),
      paragraphs(
        text(`statusChange.${change}`),
        reason ? text('statusChange.reason', { reason }) : undefined,
        () => link,
      ),
    ),
};
