import type { DataSource } from 'typeorm';
import { createUser } from '../../src/identity/account.service';
import { createBuyer } from '../../src/buyer/buyer.service';
import { newTotpSecret } from '../../src/identity/totp';
import { type Role, User } from '../../src/identity/user.entity';
import { secretBox } from '../../src/identity/secrets';
import { testConfig } from '../helpers/app';
import { uniqueKvk } from './provider.factory';
import { givenSignalSupplier } from './signal.factory';

/** Encrypts as the app under test does (the fixed test key). */
export const testSecretBox = secretBox(testConfig.secretsKey!);

export const TEST_PASSWORD = 'correct horse battery staple 42';

export interface TestUser {
  user: User;
  email: string;
  password: string;
  totpSecret?: string;
  /**
   * Forgets the last accepted TOTP step: tests sign one person in many times within one 30-second
   * step, which the replay rule refuses (a person cannot type two logins in one step anyway).
   */
  forgetTotpStep?: () => Promise<void>;
}

/**
 * A user with a unique address; staff and signal suppliers get a second factor already set up
 * unless `totp: false`. A
 * buyer belongs to a buyer organisation of its own (a unique domain), or to `buyerDomain`'s: two
 * buyers given the same domain are colleagues.
 */
export async function givenUser(
  dataSource: DataSource,
  role: Role,
  options: {
    providerId?: string | null;
    totp?: boolean;
    name?: string;
    buyerDomain?: string;
    /** Signal suppliers: their organisation; a new one of their own when not given. */
    signalSupplierId?: string;
  } = {},
): Promise<TestUser> {
  const unique = uniqueKvk();
  const email =
    role === 'buyer'
      ? `buyer-${unique}@${options.buyerDomain ?? `org-${unique}.overheid.nl`}`
      : `${role}-${unique}@test.example`;
  const name = options.name ?? `Test ${role}`;
  const user =
    role === 'buyer'
      ? (await createBuyer(dataSource, { email, name, password: TEST_PASSWORD }, 'test', new Date())).user
      : await createUser(
          dataSource,
          {
            email,
            name,
            role,
            providerId: options.providerId ?? null,
            signalSupplierId:
              role === 'signal_supplier'
                ? (options.signalSupplierId ?? (await givenSignalSupplier(dataSource)).id)
                : null,
            password: TEST_PASSWORD,
          },
          'test',
          new Date(),
        );
  const withTotp = options.totp ?? (role !== 'provider' && role !== 'buyer');
  let totpSecret: string | undefined;
  if (withTotp) {
    totpSecret = newTotpSecret();
    await dataSource
      .getRepository(User)
      .update(user.id, { totpSecret: testSecretBox.encrypt(totpSecret), totpEnabledAt: new Date() });
  }
  const forgetTotpStep = async () => {
    await dataSource.query('UPDATE users SET totp_last_step = NULL WHERE id = $1', [user.id]);
  };
  return { user, email, password: TEST_PASSWORD, totpSecret, forgetTotpStep };
}

/** A btw-id that passes the 11-test, unique enough per call. */
export function validVatNumber(): string {
  for (;;) {
    const digits = String(Math.floor(Math.random() * 90_000_000) + 10_000_000);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
    const check = sum % 11;
    if (check < 10) return `NL${digits}${check}B01`;
  }
}

/** The fields of the registration form, as posted. */
export type RegistrationFields = Record<
  | 'legalName'
  | 'tradeNames'
  | 'kvkNumber'
  | 'vatNumber'
  | 'streetAddress'
  | 'postcode'
  | 'city'
  | 'website'
  | 'abuseEmail'
  | 'asNumbers'
  | 'name'
  | 'email'
  | 'password'
  | 'passwordConfirmation',
  string
>;

/** Every field of the registration form, valid and unique; override single fields to test a rule. */
export function registrationFields(overrides: Partial<RegistrationFields> = {}): RegistrationFields {
  const kvkNumber = uniqueKvk();
  return {
    legalName: `Journey Hosting ${kvkNumber} B.V.`,
    tradeNames: 'Journey, JH',
    kvkNumber,
    vatNumber: validVatNumber(),
    streetAddress: 'Proefstraat 9',
    postcode: '1234ab',
    city: 'Utrecht',
    website: 'https://journey.example',
    abuseEmail: 'abuse@journey.example',
    asNumbers: 'AS64500, 64501',
    name: 'Jan Journey',
    email: `jan-${kvkNumber}@journey.example`,
    password: TEST_PASSWORD,
    passwordConfirmation: TEST_PASSWORD,
    ...overrides,
  };
}
