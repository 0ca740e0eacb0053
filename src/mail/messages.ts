import { dateInWords, type Language, translate } from '../shared/i18n';
import { reasonInLanguage } from '../shared/status-reasons';
import type { Mail } from './mail.service';

/** One text of a mail in one language. */
type Text = (language: Language) => string;

/** A placeholder's value: as given, a date, or a text that depends on the mail's language. */
type Param = string | number | Date | Text;

/**
 * A placeholder as the mail's language writes it: every date in words in the Dutch calendar
 * ("3 maart 2027" / "3 March 2027"), never as YYYY-MM-DD; a text in that language.
 */
function written(language: Language, value: Param): string | number {
  if (value instanceof Date) return dateInWords(language, value);
  return typeof value === 'function' ? value(language) : value;
}

/** The text of `key` in the locale files under `mail.`, with its placeholders filled in. */
const text =
  (key: string, params: Record<string, Param> = {}): Text =>
  (language) =>
    translate(
      language,
      `mail.${key}`,
      Object.fromEntries(Object.entries(params).map(([name, value]) => [name, written(language, value)])),
    );

/** A role (`reviewer`, …) by its name in the mail's language ("beoordelaar" / "reviewer"). */
const roleName =
  (role: string): Text =>
  (language) =>
    translate(language, `roles.${role}`);

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

/** One application in the reviewers' digest. */
export interface DigestLine {
  organisation: string;
  kvkNumber: string;
  submittedAt: Date;
  link: string;
}

/** One new submission in the reviewers' daily mail. */
export interface SubmissionLine {
  organisation: string;
  kvkNumber: string;
  submittedAt: Date;
  link: string;
}

/** One thing a buyer is told about a watched supplier (issue 18), as the watch mail writes it. */
export type WatchLine = {
  /** The change's watch event: the same change on two lists is two lines but one change. */
  eventId: string;
  organisation: string;
  kvkNumber: string;
  /** The buyer's own reference for the supplier on the list; empty: none. */
  reference: string;
  /** The supplier's public page. */
  pageLink: string;
} & (
  | {
      kind: 'status_changed';
      /** Status words as the snapshot stores them (`verantwoord`, `suspended`, …, `not_registered`). */
      from: string;
      to: string;
      since: Date | null;
      /** The public reason text of the change, when the public feed shows one. */
      reason: string | null;
    }
  | {
      kind: 'attestation_changed';
      number: string;
      /** Null: the attestation was issued. */
      from: string | null;
      to: string;
      since: Date;
      validUntil: Date;
      verifyLink: string;
    }
  | { kind: 'listing_ends_before_contract'; validUntil: Date; contractEnd: Date }
);

/** The changes of one watch list in a watch mail. */
export interface WatchListGroup {
  list: string;
  link: string;
  lines: WatchLine[];
}

/** A provider's status word in the mail's language ("Geschorst" / "Suspended"). */
const statusWord =
  (status: string): Text =>
  (language) =>
    status === 'not_registered'
      ? translate(language, 'mail.watchNotice.notRegistered')
      : translate(language, `status.filter.${status}`);

/** An attestation's state in the mail's language ("Ingetrokken" / "Revoked"). */
const attestationWord =
  (state: string): Text =>
  (language) =>
    translate(language, `attestation.state.${state}`);

/** One watched change as lines of the mail: what changed, and the links to look further. */
function watchLine(line: WatchLine): Text {
  const reference: Text = (language) =>
    line.reference === '' ? '' : text('watchNotice.reference', { reference: line.reference })(language);
  const base = { organisation: line.organisation, kvkNumber: line.kvkNumber, reference };
  const page = text('watchNotice.page', { link: line.pageLink });
  const lines =
    (...parts: (Text | undefined)[]): Text =>
    (language) =>
      parts.flatMap((part) => (part ? [part(language)] : [])).join('\n');
  switch (line.kind) {
    case 'status_changed': {
      const params = { ...base, from: statusWord(line.from), to: statusWord(line.to) };
      return lines(
        line.since
          ? text('watchNotice.status', { ...params, since: line.since })
          : text('watchNotice.statusNoSince', params),
        line.reason
          ? text('watchNotice.reason', {
              reason: (language: Language) => reasonInLanguage(line.reason, language) ?? '',
            })
          : undefined,
        page,
      );
    }
    case 'attestation_changed':
      return lines(
        line.from === null
          ? text('watchNotice.attestationIssued', {
              ...base,
              number: line.number,
              validUntil: line.validUntil,
            })
          : text('watchNotice.attestation', {
              ...base,
              number: line.number,
              from: attestationWord(line.from),
              to: attestationWord(line.to),
              since: line.since,
            }),
        text('watchNotice.verify', { link: line.verifyLink }),
      );
    case 'listing_ends_before_contract':
      return lines(
        text('watchNotice.listingEnds', {
          ...base,
          validUntil: line.validUntil,
          contractEnd: line.contractEnd,
        }),
        page,
      );
  }
}

/** An application's kind by its name in the mail's language ("vermelding" / "listing"). */
const kindName =
  (kind: string): Text =>
  (language) =>
    translate(language, `mail.applicationKind.${kind}`);

export const mailTexts = {
  /**
   * To a buyer (issue 18): what changed at the suppliers on their watch lists, grouped by list,
   * at once or as the day's summary; with where to change how they hear of it. Only what the
   * register shows in public about a confirmed organisation.
   */
  watchNotice: (to: string, mode: 'at_once' | 'daily', groups: WatchListGroup[], settingsLink: string) => {
    // Changes, not lines: a supplier on two lists shows its change under both.
    const count = new Set(groups.flatMap((g) => g.lines.map((l) => l.eventId))).size;
    const body: Text = (language) =>
      [
        text(`watchNotice.intro.${mode}`)(language),
        ...groups.map((g) =>
          [
            text('watchNotice.list', { list: g.list, link: g.link })(language),
            ...g.lines.map((l) => watchLine(l)(language)),
          ].join('\n'),
        ),
        text('watchNotice.settings', { link: settingsLink })(language),
      ].join('\n\n');
    return bilingual(
      to,
      text(mode === 'daily' ? 'watchNotice.subjectDaily' : 'watchNotice.subject', { count }),
      body,
    );
  },
  /**
   * To the person who made a webhook subscription (or the organisation's buyers): the register
   * stopped sending to it, why, and where to turn it on again. The URL only, never its secret.
   */
  webhookDisabled: (
    to: string,
    url: string,
    reason: 'delivery_given_up' | 'repeated_failures',
    failures: number,
    link: string,
  ) => {
    const params = { url, failures, link };
    return bilingual(
      to,
      text('webhookDisabled.subject'),
      paragraphs(text(`webhookDisabled.${reason}`, params), text('webhookDisabled.body', params)),
    );
  },
  /**
   * To the address a registration named: confirm it, and only then is the registration made. It
   * carries nothing the form's sender typed (it goes to an address nobody has confirmed yet).
   */
  registrationConfirmation: (to: string, link: string) =>
    bilingual(to, text('registrationConfirmation.subject'), text('registrationConfirmation.body', { link })),
  /**
   * To the person whose confirmed registration made the organisation: what happens next and where
   * to ask (the address is confirmed, so the organisation's name may be in it).
   */
  registrationReceipt: (
    to: string,
    organisation: string,
    kvkNumber: string,
    link: string,
    contact: string,
  ) => {
    const params = { organisation, kvkNumber, link, contact };
    return bilingual(
      to,
      text('registrationReceipt.subject', params),
      paragraphs(text('registrationReceipt.body', params), text('contact', params)),
    );
  },
  /** A new confirmation link, to an account that has not confirmed its address (it tried to log in). */
  emailConfirmation: (to: string, link: string) =>
    bilingual(to, text('emailConfirmation.subject'), text('emailConfirmation.body', { link })),
  /**
   * To an address that has an account already, when someone registered with it: no new account,
   * and how to get in (the registration page says the same whatever the address).
   */
  registrationAttempt: (to: string, loginLink: string, resetLink: string) =>
    bilingual(
      to,
      text('registrationAttempt.subject'),
      text('registrationAttempt.body', { loginLink, resetLink }),
    ),
  /** To the address a buyer's (inkoper's) registration named: confirm it, and only then is the account made. */
  buyerRegistrationConfirmation: (to: string, link: string) =>
    bilingual(
      to,
      text('buyerRegistrationConfirmation.subject'),
      text('buyerRegistrationConfirmation.body', { link }),
    ),
  /** To an address that has an account already, when someone registered with it as a buyer. */
  buyerRegistrationAttempt: (to: string, loginLink: string, resetLink: string) =>
    bilingual(
      to,
      text('buyerRegistrationAttempt.subject'),
      text('buyerRegistrationAttempt.body', { loginLink, resetLink }),
    ),
  /**
   * To the address of a disabled buyer's account, when someone registered with it as a buyer: the
   * account is disabled (logging in and a new password do not help), and whom to contact.
   */
  buyerRegistrationAttemptDisabled: (to: string, contact: string) =>
    bilingual(
      to,
      text('buyerRegistrationAttemptDisabled.subject'),
      text('buyerRegistrationAttemptDisabled.body', { contact }),
    ),
  /** To a buyer whose account an administrator disabled: why they cannot log in any more, and whom to ask. */
  buyerDisabled: (to: string) => bilingual(to, text('buyerDisabled.subject'), text('buyerDisabled.body')),
  /** To a buyer whose account an administrator enabled again. */
  buyerEnabled: (to: string) => bilingual(to, text('buyerEnabled.subject'), text('buyerEnabled.body')),
  /**
   * To the organisation's users when the listing ended by itself: it expired, or the signed code
   * version lapsed; the reason and the date in words, and where to apply again.
   */
  listingEnded: (
    to: string,
    organisation: string,
    ending: 'expired' | 'lapsed',
    date: Date,
    link: string,
  ) => {
    const params = { organisation, date, link };
    return bilingual(to, text('listingEnded.subject', params), text(`listingEnded.${ending}`, params));
  },
  /** To the organisation's users: their application came in, and what happens next. */
  submissionReceipt: (
    to: string,
    organisation: string,
    kind: string,
    submittedAt: Date,
    link: string,
    contact: string,
  ) => {
    const params = { organisation, kind: kindName(kind), submittedAt, link, contact };
    return bilingual(
      to,
      text('submissionReceipt.subject', params),
      paragraphs(text('submissionReceipt.body', params), text('contact', params)),
    );
  },
  /** To a reviewer, when the setting says each submission: one application waits for review. */
  newSubmission: (to: string, line: SubmissionLine, kind: string) => {
    const params = { ...line, kind: kindName(kind) };
    return bilingual(to, text('newSubmission.subject', params), text('newSubmission.body', params));
  },
  /**
   * To the reviewer who handles an application (or every reviewer when nobody does yet): its
   * provider sent a message (a question) in the application's conversation, which waits for an
   * answer. The message itself stays on the page.
   */
  providerReply: (
    to: string,
    line: { organisation: string; kvkNumber: string; sentAt: Date; link: string },
  ) => bilingual(to, text('providerReply.subject', { ...line }), text('providerReply.body', { ...line })),
  /** To a reviewer, when the setting says daily: the applications submitted since the previous one. */
  submissionDigest: (to: string, submitted: SubmissionLine[]) => {
    const count = submitted.length;
    const list: Text = (language) =>
      submitted.map((w) => text('submissionDigest.line', { ...w })(language)).join('\n');
    return bilingual(
      to,
      text('submissionDigest.subject', { count }),
      text('submissionDigest.body', { count, list }),
    );
  },
  /**
   * To a provider on an older version: `version` is the new one (`announced` while not published
   * yet: accepted only from `publishedAt`); `own` is the version the provider signed, with its
   * lapse after this publication, which is the date the mail names (each older version has its
   * own). When that lapse comes before the new version counts, the provider moves to a version in
   * force now; when it has passed already, the mail says so.
   */
  newCodeVersion: (
    to: string,
    organisation: string,
    version: { label: string; publishedAt: Date; announced: boolean },
    own: { label: string; lapsesAt: Date; lapsed: boolean },
    link: string,
  ) => {
    const params = {
      organisation,
      label: version.label,
      publishedOn: version.publishedAt,
      signedLabel: own.label,
      lapse: own.lapsesAt,
      link,
    };
    const kind = own.lapsed
      ? 'Lapsed'
      : !version.announced
        ? ''
        : own.lapsesAt.getTime() <= version.publishedAt.getTime()
          ? 'AnnouncedAfterLapse'
          : 'Announced';
    return bilingual(
      to,
      text(`newCodeVersion.subject${version.announced ? 'Announced' : ''}`, params),
      text(`newCodeVersion.body${kind}`, params),
    );
  },
  codeVersionWithdrawn: (to: string, organisation: string, label: string, link: string) => {
    const params = { organisation, label, link };
    return bilingual(
      to,
      text('codeVersionWithdrawn.subject', params),
      text('codeVersionWithdrawn.body', params),
    );
  },
  /**
   * Issue 19: matches of signals wait for the provider's answer and a deadline nears. How many and
   * the earliest deadline only: what a signal says is seen after logging in, never in a mail.
   */
  signalMatchReminder: (to: string, organisation: string, count: number, deadline: Date, link: string) => {
    const params = { organisation, count, deadline, link };
    return bilingual(
      to,
      text('signalMatchReminder.subject', params),
      text('signalMatchReminder.body', params),
    );
  },
  renewalReminder: (to: string, organisation: string, endDate: Date, days: number, link: string) => {
    const params = { organisation, endDate, count: days, link };
    return bilingual(to, text('renewalReminder.subject', params), text('renewalReminder.body', params));
  },
  reviewerDigest: (to: string, waiting: DigestLine[]) => {
    const count = waiting.length;
    const list: Text = (language) =>
      waiting.map((w) => text('reviewerDigest.line', { ...w })(language)).join('\n');
    return bilingual(
      to,
      text('reviewerDigest.subject', { count }),
      text('reviewerDigest.body', { count, list }),
    );
  },
  invitation: (to: string, organisation: string, inviter: string, link: string) => {
    const params = { organisation, inviter, link };
    return bilingual(to, text('invitation.subject', params), text('invitation.body', params));
  },
  /** To an address that has an account already: someone tried to invite it; no link (`link` is the register's site). */
  invitationNotice: (to: string, organisation: string, inviter: string, link: string) => {
    const params = { organisation, inviter, link };
    return bilingual(to, text('invitationNotice.subject', params), text('invitationNotice.body', params));
  },
  /** To a signal supplier's person (issue 19): the organisation they will act for, by its name. */
  signalSupplierInvitation: (to: string, organisation: string, link: string) =>
    bilingual(
      to,
      text('signalSupplierInvitation.subject', { organisation }),
      text('signalSupplierInvitation.body', { organisation, link }),
    ),
  staffInvitation: (to: string, role: string, link: string) =>
    bilingual(
      to,
      text('staffInvitation.subject'),
      text('staffInvitation.body', { role: roleName(role), link }),
    ),
  /** To the person who now holds an organisation: how they showed it is theirs, and that the others lost access. */
  organisationHandedOver: (
    to: string,
    organisation: string,
    kvkNumber: string,
    how: 'eherkenning' | 'claim',
    link: string,
  ) => {
    const params = { organisation, kvkNumber, link };
    return bilingual(
      to,
      text('organisationHandedOver.subject', params),
      text(`organisationHandedOver.${how}`, params),
    );
  },
  /** To a former user of an organisation that was handed over: their access ended, and where to object. */
  organisationAccessEnded: (
    to: string,
    organisation: string,
    kvkNumber: string,
    how: 'eherkenning' | 'claim',
    contact: string,
  ) => {
    const params = { organisation, kvkNumber, contact };
    return bilingual(
      to,
      text('organisationAccessEnded.subject', params),
      paragraphs(text(`organisationAccessEnded.${how}`, params), text('contact', params)),
    );
  },
  /** To whoever sent a claim: the link that confirms their address (the claim goes nowhere without it). */
  claimConfirm: (to: string, kvkNumber: string, link: string) =>
    bilingual(
      to,
      text('claimConfirm.subject', { kvkNumber }),
      text('claimConfirm.body', { kvkNumber, link }),
    ),
  /** To a claimant whose address is confirmed: a reviewer looks at the claim. */
  claimReceived: (to: string, kvkNumber: string, contact: string) =>
    bilingual(
      to,
      text('claimReceived.subject', { kvkNumber }),
      paragraphs(text('claimReceived.body', { kvkNumber }), text('contact', { contact })),
    ),
  /** To a claimant of a number nobody registered: nothing to claim, they can register it. */
  claimNothingToClaim: (to: string, kvkNumber: string, link: string) =>
    bilingual(
      to,
      text('claimNothingToClaim.subject', { kvkNumber }),
      text('claimNothingToClaim.body', { kvkNumber, link }),
    ),
  /** To a claimant whose claim a reviewer rejected, with the reviewer's reason. */
  claimRejected: (to: string, organisation: string, kvkNumber: string, reason: string, contact: string) =>
    bilingual(
      to,
      text('claimRejected.subject', { kvkNumber }),
      paragraphs(
        text('claimRejected.body', { organisation, kvkNumber }),
        text('claimRejected.reason', { reason }),
        text('contact', { contact }),
      ),
    ),
  /** To the person whose eHerkenning login registered a new organisation: it is confirmed, and where to go on. */
  eherkenningRegistration: (to: string, organisation: string, kvkNumber: string, link: string) => {
    const params = { organisation, kvkNumber, link };
    return bilingual(
      to,
      text('eherkenningRegistration.subject', params),
      text('eherkenningRegistration.body', params),
    );
  },
  /** To an organisation's users: someone joined it with an eHerkenning login for its number. */
  eherkenningColleagueJoined: (to: string, organisation: string, name: string, email: string) => {
    const params = { organisation, name, email };
    return bilingual(
      to,
      text('eherkenningColleagueJoined.subject', params),
      text('eherkenningColleagueJoined.body', params),
    );
  },
  passwordReset: (to: string, link: string) =>
    bilingual(to, text('passwordReset.subject'), text('passwordReset.body', { link })),
  decision: (
    to: string,
    organisation: string,
    decision: DecisionMail,
    message: string | null,
    link: string,
    /** On approval: the version the listing now rests on and the listing's end. */
    approved?: { label: string; validUntil: Date },
    /** Where to ask or object (the contactEmail setting). */
    contact?: string,
  ) =>
    bilingual(
      to,
      text('decision.subject', { organisation }),
      paragraphs(
        text(`decision.${decision}`),
        approved ? text('decision.approvedListing', approved) : undefined,
        message ? text('decision.message', { message }) : undefined,
        text('decision.link', { link }),
        contact ? text('contact', { contact }) : undefined,
      ),
    ),
  statusChange: (
    to: string,
    organisation: string,
    change: StatusChangeMail,
    reason: string | null,
    link: string,
    /** A suspension's planned end; where to ask or object (the contactEmail setting). */
    extra: { until?: Date | null; contact?: string } = {},
  ) =>
    bilingual(
      to,
      text('statusChange.subject', { organisation }),
      paragraphs(
        text(`statusChange.${change}`),
        reason ? text('statusChange.reason', { reason }) : undefined,
        extra.until ? text('statusChange.until', { until: extra.until }) : undefined,
        () => link,
        extra.contact ? text('contact', { contact: extra.contact }) : undefined,
      ),
    ),
  /**
   * Issue 19: a signal matches one of the provider's declared resellers. Nothing of the signal and no
   * reseller's name: the mail says how many, by when to answer, and where to log in to see them.
   */
  signalMatchFound: (to: string, count: number, due: Date, link: string) =>
    bilingual(to, text('signalMatchFound.subject'), text('signalMatchFound.body', { count, due, link })),
};
