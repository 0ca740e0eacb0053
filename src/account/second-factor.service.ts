import type { DataSource } from 'typeorm';
import { IsNull } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { ValidationError } from '../shared/errors';
import { RecoveryCode } from './recovery-code.entity';
import { newRecoveryCodes, recoveryCodeHash, verifyTotp } from './totp';
import { User } from './user.entity';

/** Turns on the second factor once the user proved the app works; answers the recovery codes to show once. */
export async function enableSecondFactor(
  dataSource: DataSource,
  user: User,
  secret: string,
  code: string,
): Promise<string[]> {
  if (!verifyTotp(secret, user.email, code)) throw new ValidationError({ code: ['validation.totpInvalid'] });
  const codes = newRecoveryCodes();
  await dataSource.transaction(async (m) => {
    await m.update(User, user.id, { totpSecret: secret, totpEnabledAt: new Date() });
    await m.delete(RecoveryCode, { userId: user.id });
    await m.insert(
      RecoveryCode,
      codes.map((c) => ({ userId: user.id, codeHash: recoveryCodeHash(c) })),
    );
    await appendAuditEvent(m, {
      actor: user.email,
      action: 'user.second_factor_enabled',
      subjectType: 'user',
      subjectId: user.id,
    });
  });
  return codes;
}

/** Checks a code from the app, or uses up a recovery code. */
export async function verifySecondFactor(
  dataSource: DataSource,
  userId: string,
  code: string,
): Promise<boolean> {
  const user = await dataSource
    .getRepository(User)
    .createQueryBuilder('u')
    .addSelect('u.totpSecret')
    .where('u.id = :id', { id: userId })
    .getOne();
  if (!user?.totpSecret || user.disabledAt) return false;
  if (verifyTotp(user.totpSecret, user.email, code)) return true;
  return dataSource.transaction(async (m) => {
    const result = await m.update(
      RecoveryCode,
      { userId, codeHash: recoveryCodeHash(code), usedAt: IsNull() },
      { usedAt: new Date() },
    );
    if (!result.affected) return false;
    await appendAuditEvent(m, {
      actor: user.email,
      action: 'user.recovery_code_used',
      subjectType: 'user',
      subjectId: user.id,
    });
    return true;
  });
}
