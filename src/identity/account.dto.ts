import { IsNotEmpty, IsOptional, IsUrl, MaxLength, ValidateIf } from 'class-validator';
import {
  IsAsNumberList,
  IsDutchPostcode,
  IsDutchVatNumber,
  IsKvkNumber,
  IsMailAddress,
  IsOneLine,
} from '../shared/validators';

const required = { message: 'validation.required' };

/** A person who gets an account: a name, and an address to reach them. */
export class PersonDto {
  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  name: string;

  @IsMailAddress()
  @MaxLength(254, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  email: string;
}

export const PERSON_FIELDS = ['name', 'email'] as const;

/**
 * An organisation's own details and its first person, as a registration (password or eHerkenning)
 * gives them; the KvK number is not among them: a registration types it, eHerkenning proves it.
 */
export class OrganisationDto extends PersonDto {
  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  legalName: string;

  @MaxLength(1000, { message: 'validation.tooLong' })
  @IsOneLine()
  tradeNames: string;

  @IsDutchVatNumber({ message: 'validation.vatNumber' })
  @IsOneLine()
  @IsNotEmpty(required)
  vatNumber: string;

  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  streetAddress: string;

  @IsDutchPostcode({ message: 'validation.postcode' })
  @IsOneLine()
  @IsNotEmpty(required)
  postcode: string;

  @MaxLength(100, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  city: string;

  @IsOptional()
  @ValidateIf((o: OrganisationDto) => o.website !== '')
  @IsUrl(
    { protocols: ['https', 'http'], require_protocol: true, require_tld: true },
    { message: 'validation.url' },
  )
  @MaxLength(300, { message: 'validation.tooLong' })
  @IsOneLine()
  website: string;

  @IsMailAddress()
  @MaxLength(254, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  abuseEmail: string;

  @IsAsNumberList({ message: 'validation.asNumbers' })
  @IsOneLine()
  asNumbers: string;
}

/** The organisation fields in the order of the forms. */
export const ORGANISATION_FIELDS = [
  'legalName',
  'tradeNames',
  'vatNumber',
  'streetAddress',
  'postcode',
  'city',
  'website',
  'abuseEmail',
  'asNumbers',
  ...PERSON_FIELDS,
] as const;

/** Registration of a hosting provider with a password: the organisation, its number, and its first user. */
export class RegistrationDto extends OrganisationDto {
  @IsKvkNumber({ message: 'validation.kvkNumber' })
  @IsOneLine()
  @IsNotEmpty(required)
  kvkNumber: string;

  @IsOneLine()
  @IsNotEmpty(required)
  password: string;

  @IsOneLine()
  @IsNotEmpty(required)
  passwordConfirmation: string;
}

export const REGISTRATION_FIELDS = [
  'legalName',
  'tradeNames',
  'kvkNumber',
  ...ORGANISATION_FIELDS.slice(2),
  'password',
  'passwordConfirmation',
] as const;

/** Setting a password (invitation, reset): the new password twice, and a name where asked. */
export class NewPasswordDto {
  @IsOneLine()
  @IsNotEmpty(required)
  password: string;

  @IsOneLine()
  @IsNotEmpty(required)
  passwordConfirmation: string;
}

export class InvitationAcceptDto extends NewPasswordDto {
  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  name: string;
}

export class EmailDto {
  @IsMailAddress()
  @MaxLength(254, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  email: string;
}

/** A buyer's (inkoper's) registration: who they are, and a password twice (issue 18). */
export class BuyerRegistrationDto extends PersonDto {
  @IsOneLine()
  @IsNotEmpty(required)
  password: string;

  @IsOneLine()
  @IsNotEmpty(required)
  passwordConfirmation: string;
}

export const BUYER_REGISTRATION_FIELDS = ['name', 'email', 'password', 'passwordConfirmation'] as const;
