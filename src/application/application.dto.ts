import { IsIn, IsNotEmpty, IsUUID, MaxLength } from 'class-validator';
import { IsMailAddress, IsOneLine, IsPastOrTodayDate } from '../shared/validators';
import { PROVIDER_STATUS_ACTIONS, REVIEW_ACTION_NAMES } from './application-rules';
import { EVIDENCE_KINDS } from './evidence.entity';

const required = { message: 'validation.required' };

/** What a provider fills in on an application: the code-of-conduct signature and AAN participation. */
export class ApplicationDto {
  @IsUUID('all', { message: 'validation.codeVersion' })
  @IsNotEmpty(required)
  codeOfConductVersionId: string;

  @IsPastOrTodayDate({ message: 'validation.pastDate' })
  @IsOneLine()
  @IsNotEmpty(required)
  codeSignedOn: string;

  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  signatoryName: string;

  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  signatoryRole: string;

  @IsPastOrTodayDate({ message: 'validation.pastDate' })
  @IsOneLine()
  @IsNotEmpty(required)
  aanSince: string;

  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  aanContactName: string;

  @IsMailAddress()
  @MaxLength(254, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  aanContactEmail: string;
}

export const APPLICATION_FIELDS = [
  'codeOfConductVersionId',
  'codeSignedOn',
  'signatoryName',
  'signatoryRole',
  'aanSince',
  'aanContactName',
  'aanContactEmail',
] as const;

export class EvidenceDto {
  @IsIn(EVIDENCE_KINDS, { message: 'validation.evidenceKind' })
  kind: string;
}

/** A reviewer's decision: what, the message for the provider, and the version they looked at. */
export class DecisionDto {
  @IsIn(REVIEW_ACTION_NAMES, { message: 'validation.invalid' })
  action: string;

  @MaxLength(5000, { message: 'validation.tooLong' })
  message: string;

  @IsNotEmpty(required)
  version: string;
}

/** A reviewer's action on a provider's listing. */
export class ProviderActionDto {
  @IsIn(PROVIDER_STATUS_ACTIONS, { message: 'validation.invalid' })
  action: string;

  @MaxLength(5000, { message: 'validation.tooLong' })
  reason: string;

  /** Optional planned end of a suspension, YYYY-MM-DD. */
  @MaxLength(10, { message: 'validation.date' })
  @IsOneLine()
  until: string;
}
