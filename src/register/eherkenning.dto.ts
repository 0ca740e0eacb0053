import { IsNotEmpty, IsOptional, IsUrl, MaxLength, ValidateIf } from 'class-validator';
import {
  IsAsNumberList,
  IsDutchPostcode,
  IsDutchVatNumber,
  IsMailAddress,
  IsOneLine,
} from '../shared/validators';

const required = { message: 'validation.required' };

/**
 * The person who logged in with eHerkenning, joining (or taking over) an organisation: a name and an
 * address to reach them. The KvK number comes from the login, never from a form.
 */
export class EherkenningPersonDto {
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

export const EHERKENNING_PERSON_FIELDS = ['name', 'email'] as const;

/** The first eHerkenning login for a number without an organisation: the rest of the organisation, and the person. */
export class EherkenningOrganisationDto extends EherkenningPersonDto {
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
  @ValidateIf((o: EherkenningOrganisationDto) => o.website !== '')
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

export const EHERKENNING_ORGANISATION_FIELDS = [
  'legalName',
  'tradeNames',
  'vatNumber',
  'streetAddress',
  'postcode',
  'city',
  'website',
  'abuseEmail',
  'asNumbers',
  ...EHERKENNING_PERSON_FIELDS,
] as const;
