import { actorOf } from '../audit/actor';
import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { ValidationError } from '../shared/errors';
import { RecoveryCode } from './recovery-code.entity';
import type { SecretBox } from './secrets';
import { legacyRecoveryCodeHash, newRecoveryCodes, totpStep } from './totp';
import { User } from './user.entity';
import { claimTotpStep, useRecoveryCode } from './account.queries';

/** Turns on the second factor once the user proved the app works; answers the recovery codes to show once. */
export async function enableSecondFactor(
  dataSource: DataSource,
  box: SecretBox,
  user: User,
  secret: string,
  code: string,
  now: Date,
): Promise<string[]> {
  const step = totpStep(secret, user.email, code, now);
  if (step === undefined) throw new ValidationError({ code: ['validation.totpInvalid'] });
  const codes = newRecoveryCodes();
  await dataSource.transaction(async (m) => {
    await m.update(User, user.id, {
      totpSecret: box.encrypt(secret),
      totpEnabledAt: now,
      // The code that confirmed the enrolment cannot sign in afterwards.
      totpLastStep: String(step),
    });
    await m.delete(RecoveryCode, { userId: user.id });
    await m.insert(
      RecoveryCode,
      codes.map((c) => ({ userId: user.id, codeHash: box.recoveryCodeMac(c), hashKind: 'hmac' as const })),
    );
    await appendAuditEvent(m, now, {
      actor: actorOf(user),
      action: 'user.second_factor_enabled',
      subjectType: 'user',
      subjectId: user.id,
    });
  });
  return codes;
}

/**
 * Checks a code from the app (each time step is accepted once: the step is claimed atomically,
 * so a code seen by someone else, or sent twice at once, is refused), or uses up a recovery code.
 */
export async function verifySecondFactor(
  dataSource: DataSource,
  box: SecretBox,
  userId: string,
  code: string,
  now: Date,
): Promise<boolean> {
  const user = await dataSource
    .getRepository(User)
    .createQueryBuilder('u')
    .addSelect('u.totpSecret')
    .where('u.id = :id', { id: userId })
    .getOne();
  if (!user?.totpSecret || user.disabledAt) return false;
  const step = totpStep(box.decrypt(user.totpSecret), user.email, code, now);
  if (step !== undefined) {
    return claimTotpStep(dataSource, userId, step);
  }
  return dataSource.transaction(async (m) => {
    const used = await useRecoveryCode(
      m,
      userId,
      {
        hmac: box.recoveryCodeMac(code),
        sha256: legacyRecoveryCodeHash(code),
      },
      now,
    );
    if (!used) return false;
    await appendAuditEvent(m, now, {
      actor: actorOf(user),
      action: 'user.recovery_code_used',
      subjectType: 'user',
      subjectId: user.id,
    });
    return true;
  });
}
