import type { StatusAt } from '../status/status-rules';
import type { NewApplicationAnswer } from './application-rules';
import type { ApplicationState } from './application.entity';

/**
 * What a provider should do now, as the account page says it under the status: one step, chosen
 * from the status and the organisation's open application. Each has a text under
 * `account.nextStep.<step>` in the locale files, which may name `date`.
 */
export const NEXT_STEPS = [
  // The organisation has an application under way.
  'finishDraft',
  'answerChanges',
  'awaitReview',
  // Verantwoord.
  'signNewCode',
  'continueAan',
  'renewNow',
  'renewFrom',
  // Not verantwoord.
  'apply',
  'applyAfterRejection',
  'renewExpired',
  'awaitSuspensionEnd',
  'resolveSuspension',
  'applyAfterRevocation',
  'signNewCodeLapsed',
  'resumeAan',
] as const;
export type NextStep = (typeof NEXT_STEPS)[number];

export interface NextStepFacts {
  status: StatusAt;
  /** The organisation's application still under way (draft, submitted, in review, changes asked), if any. */
  openApplication?: { id: string; state: ApplicationState };
  /** May a new application start now (`applicationPossibility`). */
  possibility: NewApplicationAnswer;
  /** A recorded end of AAN participation still to come, while participation is active. */
  aanEndsAt?: Date;
}

export interface NextStepAnswer {
  step: NextStep;
  /** The date the text names: a renewal's start, a lapse, a planned end. */
  date?: Date;
  /** The application the step is about, for a link. */
  applicationId?: string;
}

function applicationStep(open: NonNullable<NextStepFacts['openApplication']>): NextStepAnswer {
  const step: NextStep =
    open.state === 'draft'
      ? 'finishDraft'
      : open.state === 'changes_requested'
        ? 'answerChanges'
        : 'awaitReview';
  return { step, applicationId: open.id };
}

/**
 * The step in words of what holds now. An application under way comes first (it is what moves the
 * status next), except while suspended: no application lifts a suspension, so the page says what
 * does. A verantwoord provider is told the earliest thing that would end its listing.
 */
export function nextStep({ status, openApplication, possibility, aanEndsAt }: NextStepFacts): NextStepAnswer {
  const suspended = !status.verantwoord && status.reason === 'suspended';
  if (openApplication && !suspended) return applicationStep(openApplication);
  if (status.verantwoord) {
    const codeSwitch = possibility.allowed ? possibility.codeSwitch : undefined;
    const validUntil = status.listing.validUntil;
    if (codeSwitch && codeSwitch.lapsesAt.getTime() < validUntil.getTime())
      return { step: 'signNewCode', date: codeSwitch.lapsesAt };
    if (aanEndsAt && aanEndsAt.getTime() < validUntil.getTime())
      return { step: 'continueAan', date: aanEndsAt };
    if (possibility.allowed) return { step: 'renewNow', date: validUntil };
    return { step: 'renewFrom', date: possibility.renewalFrom ?? validUntil };
  }
  switch (status.reason) {
    case 'not_listed':
    case 'application_pending':
      return { step: 'apply' };
    case 'rejected':
      return { step: 'applyAfterRejection' };
    case 'expired':
      return { step: 'renewExpired' };
    case 'suspended':
      return status.until
        ? { step: 'awaitSuspensionEnd', date: status.until }
        : { step: 'resolveSuspension' };
    case 'revoked':
      return { step: 'applyAfterRevocation' };
    case 'code_of_conduct_outdated':
      return { step: 'signNewCodeLapsed' };
    case 'aan_participation_ended':
      return { step: 'resumeAan' };
  }
}
