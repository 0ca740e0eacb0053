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

/** Registration of a hosting provider: the organisation and its first user. */
export class RegistrationDto {
  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  legalName: string;

  @MaxLength(1000, { message: 'validation.tooLong' })
  @IsOneLine()
  tradeNames: string;

  @IsKvkNumber({ message: 'validation.kvkNumber' })
  @IsOneLine()
  @IsNotEmpty(required)
  kvkNumber: string;

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
  @ValidateIf((o: RegistrationDto) => o.website !== '')
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

  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  name: string;

  @IsMailAddress()
  @MaxLength(254, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  email: string;

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
