import { IsEmail, IsNotEmpty, IsOptional, IsUrl, MaxLength, ValidateIf } from 'class-validator';
import { IsAsNumberList, IsDutchPostcode, IsDutchVatNumber, IsKvkNumber } from '../shared/validators';

const required = { message: 'validation.required' };

/** Registration of a hosting provider: the organisation and its first user. */
export class RegistrationDto {
  @MaxLength(200, { message: 'validation.tooLong' })
  @IsNotEmpty(required)
  legalName: string;

  @MaxLength(1000, { message: 'validation.tooLong' })
  tradeNames: string;

  @IsKvkNumber({ message: 'validation.kvkNumber' })
  @IsNotEmpty(required)
  kvkNumber: string;

  @IsDutchVatNumber({ message: 'validation.vatNumber' })
  @IsNotEmpty(required)
  vatNumber: string;

  @MaxLength(200, { message: 'validation.tooLong' })
  @IsNotEmpty(required)
  streetAddress: string;

  @IsDutchPostcode({ message: 'validation.postcode' })
  @IsNotEmpty(required)
  postcode: string;

  @MaxLength(100, { message: 'validation.tooLong' })
  @IsNotEmpty(required)
  city: string;

  @IsOptional()
  @ValidateIf((o: RegistrationDto) => o.website !== '')
  @IsUrl(
    { protocols: ['https', 'http'], require_protocol: true, require_tld: true },
    { message: 'validation.url' },
  )
  @MaxLength(300, { message: 'validation.tooLong' })
  website: string;

  @IsEmail({}, { message: 'validation.email' })
  @MaxLength(254, { message: 'validation.tooLong' })
  @IsNotEmpty(required)
  abuseEmail: string;

  @IsAsNumberList({ message: 'validation.asNumbers' })
  asNumbers: string;

  @MaxLength(200, { message: 'validation.tooLong' })
  @IsNotEmpty(required)
  name: string;

  @IsEmail({}, { message: 'validation.email' })
  @MaxLength(254, { message: 'validation.tooLong' })
  @IsNotEmpty(required)
  email: string;

  @IsNotEmpty(required)
  password: string;

  @IsNotEmpty(required)
  passwordConfirmation: string;
}

export const REGISTRATION_FIELDS = [
  'legalName',
  'tradeNames',
  'kvkNumber',
  'vatNumber',
  'streetAddress',
  'postcode',
  'city',
  'website',
  'abuseEmail',
  'asNumbers',
  'name',
  'email',
  'password',
  'passwordConfirmation',
] as const;

/** Setting a password (invitation, reset): the new password twice, and a name where asked. */
export class NewPasswordDto {
  @IsNotEmpty(required)
  password: string;

  @IsNotEmpty(required)
  passwordConfirmation: string;
}

export class InvitationAcceptDto extends NewPasswordDto {
  @MaxLength(200, { message: 'validation.tooLong' })
  @IsNotEmpty(required)
  name: string;
}

export class EmailDto {
  @IsEmail({}, { message: 'validation.email' })
  @MaxLength(254, { message: 'validation.tooLong' })
  @IsNotEmpty(required)
  email: string;
}
