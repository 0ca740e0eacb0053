import { randomUUID } from 'node:crypto';
import { actorOf } from '../audit/actor';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '../database/availability';
import type { RegistrationDto } from '../identity/account.dto';
import { appendAuditEvent } from '../audit/audit.service';
import { addUser, checkNewPassword } from '../identity/account.service';
import { registrationNoticesInLastHour } from '../identity/account.queries';
import { sendConfirmationLink } from '../identity/email-confirmation.service';
import { hashPassword } from '../identity/password';
import { User } from '../identity/user.entity';
import { Provider } from '../provider/provider.entity';
import { ValidationError } from '../shared/errors';
import { createProvider, organisationInput } from './provider.service';
import { flagResemblingName } from './name-resemblance.service';
import type { Config } from '../config';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { readSettings } from '../settings/settings.service';
import { paths } from '../shared/paths';

/**
 * A hosting provider registers itself: the organisation and its first user, in one transaction.
 * The new account can do nothing until its address is confirmed through the link its receipt
 * carries. An address that has an account already gets a mail saying so instead, and the caller
 * answers the same either way (issue 17 §2: nobody learns which addresses have accounts); the
 * password is hashed either way, so neither answer is quicker.
 */
export async function registerProvider(
  dataSource: DataSource,
  dto: RegistrationDto,
  config: Config,
  now: Date,
): Promise<void> {
  checkNewPassword(dto.password, dto.passwordConfirmation);
  // Everything that can refuse the form is checked before the costly hash; the transaction checks again.
  await assertKvkFree(dataSource.manager, dto.kvkNumber);
  const passwordHash = await hashPassword(dto.password);
  try {
    await registerInTransaction(dataSource, dto, passwordHash, config, now);
  } catch (error) {
    // Two registrations racing for the same number or address: the database decides, the loser hears why.
    if (isUniqueViolation(error, 'providers_kvk_number_key'))
      throw new ValidationError({ kvkNumber: ['validation.kvkTaken'] });
    if (isUniqueViolation(error, 'users_email_key')) {
      await dataSource.transaction((manager) => noticeToAccount(manager, dto, config, now));
      return;
    }
    throw error;
  }
}

async function assertKvkFree(manager: EntityManager, kvkNumber: string): Promise<void> {
  if (await manager.existsBy(Provider, { kvkNumber })) {
    throw new ValidationError({ kvkNumber: ['validation.kvkTaken'] });
  }
}

/** Mails to one address about registrations with it, per hour at most, however often someone tries. */
export const REGISTRATION_NOTICES_PER_HOUR = 3;

/**
 * Someone registered with an address that has an account: nothing is made, and the address hears
 * of it (log in, or reset the password), a few times an hour at most.
 */
async function noticeToAccount(
  manager: EntityManager,
  dto: RegistrationDto,
  config: Config,
  now: Date,
): Promise<void> {
  const user = await manager.findOneBy(User, { email: dto.email.toLowerCase() });
  if (!user) return;
  if ((await registrationNoticesInLastHour(manager, user.id, now)) >= REGISTRATION_NOTICES_PER_HOUR) return;
  await queueMail(
    manager,
    mailTexts.registrationAttempt(
      user.email,
      `${config.publicBaseUrl}${paths.login}`,
      `${config.publicBaseUrl}${paths.forgotPassword}`,
    ),
  );
  await appendAuditEvent(manager, now, {
    actor: 'anonymous',
    action: 'user.registration_attempted',
    subjectType: 'user',
    subjectId: user.id,
    data: { kvkNumber: dto.kvkNumber },
  });
}

function registerInTransaction(
  dataSource: DataSource,
  dto: RegistrationDto,
  passwordHash: string,
  config: Config,
  now: Date,
): Promise<void> {
  return dataSource.transaction(async (manager) => {
    await assertKvkFree(manager, dto.kvkNumber);
    if (await manager.existsBy(User, { email: dto.email.toLowerCase() }))
      return noticeToAccount(manager, dto, config, now);
    // The provider is created first, by the user about to be added: their id is chosen now.
    const userId = randomUUID();
    const actor = actorOf({ id: userId, role: 'provider' });
    const provider = await createProvider(manager, organisationInput(dto.kvkNumber, dto), actor, now);
    const user = await addUser(
      manager,
      {
        id: userId,
        email: dto.email,
        name: dto.name,
        role: 'provider',
        providerId: provider.id,
        passwordHash,
        emailVerifiedAt: null,
      },
      actor,
      now,
    );
    await flagResemblingName(manager, provider, now);
    const { contactEmail } = await readSettings(manager, config);
    await sendConfirmationLink(
      manager,
      user,
      (to, confirmLink) =>
        mailTexts.registrationReceipt(
          to,
          provider.legalName,
          provider.kvkNumber,
          confirmLink,
          `${config.publicBaseUrl}${paths.account}`,
          contactEmail,
        ),
      config.publicBaseUrl,
      now,
    );
  });
}
