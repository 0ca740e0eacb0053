import { randomUUID } from 'node:crypto';
import { actorOf } from '../audit/actor';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '../database/availability';
import type { RegistrationDto } from '../identity/account.dto';
import { addUser, assertEmailFree, checkNewPassword } from '../identity/account.service';
import { hashPassword } from '../identity/password';
import type { User } from '../identity/user.entity';
import { Provider } from '../provider/provider.entity';
import { ValidationError } from '../shared/errors';
import { normalisePostcode, normaliseVatNumber } from '../shared/identifiers';
import { parseAsNumbers, parseList } from '../shared/validators';
import { createProvider } from './provider.service';
import type { Config } from '../config';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { readSettings } from '../settings/settings.service';
import { paths } from '../shared/paths';

/** A hosting provider registers itself: the organisation and its first user, in one transaction. */
export async function registerProvider(
  dataSource: DataSource,
  dto: RegistrationDto,
  config: Config,
  now: Date,
): Promise<User> {
  checkNewPassword(dto.password, dto.passwordConfirmation);
  // Everything that can refuse the form is checked before the costly hash; the transaction checks again.
  await assertRegistrationFree(dataSource.manager, dto);
  const passwordHash = await hashPassword(dto.password);
  try {
    return await registerInTransaction(dataSource, dto, passwordHash, config, now);
  } catch (error) {
    // Two registrations racing for the same number or address: the database decides, the loser hears why.
    if (isUniqueViolation(error, 'providers_kvk_number_key'))
      throw new ValidationError({ kvkNumber: ['validation.kvkTaken'] });
    if (isUniqueViolation(error, 'users_email_key'))
      throw new ValidationError({ email: ['validation.emailTaken'] });
    throw error;
  }
}

async function assertRegistrationFree(manager: EntityManager, dto: RegistrationDto): Promise<void> {
  if (await manager.existsBy(Provider, { kvkNumber: dto.kvkNumber })) {
    throw new ValidationError({ kvkNumber: ['validation.kvkTaken'] });
  }
  await assertEmailFree(manager, dto.email.toLowerCase());
}

function registerInTransaction(
  dataSource: DataSource,
  dto: RegistrationDto,
  passwordHash: string,
  config: Config,
  now: Date,
): Promise<User> {
  return dataSource.transaction(async (manager) => {
    await assertRegistrationFree(manager, dto);
    // The provider is created first, by the user about to be added: their id is chosen now.
    const userId = randomUUID();
    const actor = actorOf({ id: userId, role: 'provider' });
    const provider = await createProvider(
      manager,
      {
        kvkNumber: dto.kvkNumber,
        legalName: dto.legalName,
        tradeNames: parseList(dto.tradeNames),
        vatNumber: normaliseVatNumber(dto.vatNumber),
        streetAddress: dto.streetAddress,
        postcode: normalisePostcode(dto.postcode)!,
        city: dto.city,
        website: dto.website || null,
        abuseEmail: dto.abuseEmail.toLowerCase(),
        asNumbers: parseAsNumbers(dto.asNumbers) ?? [],
      },
      actor,
      now,
    );
    const user = await addUser(
      manager,
      {
        id: userId,
        email: dto.email,
        name: dto.name,
        role: 'provider',
        providerId: provider.id,
        passwordHash,
      },
      actor,
      now,
    );
    const { contactEmail } = await readSettings(manager, config);
    await queueMail(
      manager,
      mailTexts.registrationReceipt(
        user.email,
        provider.legalName,
        provider.kvkNumber,
        `${config.publicBaseUrl}${paths.account}`,
        contactEmail,
      ),
    );
    return user;
  });
}
