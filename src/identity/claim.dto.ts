import { IsNotEmpty, MaxLength } from 'class-validator';
import { IsKvkNumber, IsMailAddress, IsOneLine } from '../shared/validators';

const required = { message: 'validation.required' };

/** A claim of a registered KvK number by whoever says they represent the organisation. */
export class ClaimDto {
  @IsKvkNumber({ message: 'validation.kvkNumber' })
  @IsOneLine()
  @IsNotEmpty(required)
  kvkNumber: string;

  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  name: string;

  @IsMailAddress()
  @MaxLength(254, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  email: string;

  @MaxLength(40, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  phone: string;

  @MaxLength(200, { message: 'validation.tooLong' })
  @IsOneLine()
  @IsNotEmpty(required)
  companyRole: string;

  @MaxLength(2000, { message: 'validation.tooLong' })
  message: string;
}

export const CLAIM_FIELDS = ['kvkNumber', 'name', 'email', 'phone', 'companyRole', 'message'] as const;
