import type { DataSource } from 'typeorm';
import { Provider } from '../../src/provider/provider.entity';
import { confirmIdentity, createProvider, type NewProvider } from '../../src/register/provider.service';
import { addMonths } from '../../src/shared/time';
import type { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { publishCodeOfConductVersion } from '../../src/status/code-of-conduct.service';
import { type NewStatusEvent, recordStatusEvent } from '../../src/status/status.service';

/** The actor of what the factories set up: a system, not a person (events never name people by address). */
export const TEST_ACTOR = 'test:factory';

// Unique per run and per call, so tests sharing a database never collide.
let sequence = Math.floor(Math.random() * 40_000_000) + 10_000_000;

export function uniqueKvk(): string {
  return String(++sequence);
}

export function buildProvider(overrides: Partial<NewProvider> = {}): NewProvider {
  const kvkNumber = overrides.kvkNumber ?? uniqueKvk();
  return {
    kvkNumber,
    legalName: `Testhosting ${kvkNumber} B.V.`,
    tradeNames: [],
    streetAddress: 'Teststraat 1',
    postcode: '1234 AB',
    city: 'Teststad',
    website: 'https://hosting.example',
    abuseEmail: 'abuse@hosting.example',
    ...overrides,
  };
}

/**
 * A provider in the register; confirmed by a reviewer (so public) unless `unconfirmed`, as a
 * registration nobody has looked at yet.
 */
export async function givenProvider(
  dataSource: DataSource,
  overrides: Partial<NewProvider> = {},
  options: { unconfirmed?: boolean } = {},
): Promise<Provider> {
  return dataSource.transaction(async (m) => {
    const provider = await createProvider(m, buildProvider(overrides), TEST_ACTOR, new Date());
    if (!options.unconfirmed) {
      await confirmIdentity(m, provider.id, TEST_ACTOR, {}, new Date());
      return m.findOneByOrFail(Provider, { id: provider.id });
    }
    return provider;
  });
}

export async function givenCodeVersion(
  dataSource: DataSource,
  overrides: Partial<Pick<CodeOfConductVersion, 'label' | 'publishedAt' | 'transitionEndsAt'>> = {},
): Promise<CodeOfConductVersion> {
  const publishedAt = overrides.publishedAt ?? new Date('2020-01-01T00:00:00Z');
  const label = overrides.label ?? `test-${uniqueKvk()}`;
  return dataSource.transaction((m) =>
    publishCodeOfConductVersion(
      m,
      {
        label,
        title: `Gedragscode ${label}`,
        publishedAt,
        transitionEndsAt: overrides.transitionEndsAt ?? publishedAt,
      },
      TEST_ACTOR,
      new Date(),
    ),
  );
}

export async function givenStatusEvent(
  dataSource: DataSource,
  event: Omit<NewStatusEvent, 'actor'> & { actor?: string },
  recordedAt = new Date(),
): Promise<void> {
  await dataSource.transaction((m) => recordStatusEvent(m, { actor: TEST_ACTOR, ...event }, recordedAt));
}

/**
 * A provider approved at `approvedAt` for 12 months on `version`, AAN participation since a year
 * before; the register learns of it at `recordedAt`.
 */
export async function givenApproval(
  dataSource: DataSource,
  provider: Provider,
  version: CodeOfConductVersion,
  approvedAt: Date,
  recordedAt = new Date(),
): Promise<void> {
  await givenStatusEvent(
    dataSource,
    {
      providerId: provider.id,
      kind: 'listing_approved',
      effectiveAt: approvedAt,
      validUntil: addMonths(approvedAt, 12),
      codeOfConductVersionId: version.id,
      codeSignedOn: '2020-01-01',
      aanSince: addMonths(approvedAt, -12),
    },
    recordedAt,
  );
}
