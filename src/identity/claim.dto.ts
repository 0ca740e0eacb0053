import { IsNotEmpty, MaxLength } from 'class-validator';
import { IsKvkNumber, IsOneLine } from '../shared/validators';
import { PersonDto } from './account.dto';

const required = { message: 'validation.required' };

/** A claim of a registered KvK number by whoever says they represent the organisation. */
export class ClaimDto extends PersonDto {
  @IsKvkNumber({ message: 'validation.kvkNumber' })
  @IsOneLine()
  @IsNotEmpty(required)
  kvkNumber: string;

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
