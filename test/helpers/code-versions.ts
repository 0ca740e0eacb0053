import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import type { Provider } from '../../src/provider/provider.entity';
import type { FixedClock } from '../../src/shared/clock';
import { must } from '../../src/shared/must';
import { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { givenApproval, givenProvider, givenStatusEvent } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { type Agent, csrfFrom, signedIn } from './session';

/* Code-of-conduct versions through the administrators' pages, and providers listed on them. */

/** The hidden fields of the preview's confirmation form, as the browser would send them back. */
export function confirmationFields(html: string): Record<string, string> {
  const form = must(
    /<form method="post" action="\/beheer\/gedragscode\/bevestigen"[\s\S]*?<\/form>/.exec(html)?.[0],
    'a confirmation form',
  );
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[must(m[1], 'name')] = must(m[2], 'value').replaceAll('&amp;', '&');
  return fields;
}

/** Publishes through the admin pages: the form, its preview, the confirmation. */
export async function publishThroughPages(admin: Agent, fields: Record<string, string>) {
  const preview = await previewOf(admin, fields);
  assert.equal(preview.status, 200, preview.text);
  return admin.post('/beheer/gedragscode/bevestigen').type('form').send(confirmationFields(preview.text));
}

/** Publishes version `label` through the preview and its confirmation; the version as stored. */
export async function versionPublishedThroughPages(
  dataSource: DataSource,
  admin: Agent,
  label: string,
  dates: { publishedOn: string; transitionEndsOn: string },
): Promise<CodeOfConductVersion> {
  const published = await publishThroughPages(admin, {
    versionLabel: label,
    versionTitle: `Gedragscode ${label}`,
    ...dates,
  });
  assert.equal(published.status, 303, published.text);
  return dataSource.getRepository(CodeOfConductVersion).findOneByOrFail({ label });
}

export async function previewOf(admin: Agent, fields: Record<string, string>) {
  const page = await admin.get('/beheer/gedragscode');
  return admin
    .post('/beheer/gedragscode')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), ...fields });
}

/** A provider listed on `version`, approved at `approvedAt` for 12 months, with an active user unless told otherwise. */
export async function listedProvider(
  dataSource: DataSource,
  version: CodeOfConductVersion,
  approvedAt: Date,
  options: { user?: boolean; suspended?: Date } = {},
): Promise<{ provider: Provider; email?: string; user?: TestUser }> {
  const provider = await givenProvider(dataSource);
  await givenApproval(dataSource, provider, version, approvedAt);
  if (options.suspended)
    await givenStatusEvent(dataSource, {
      providerId: provider.id,
      kind: 'suspended',
      effectiveAt: options.suspended,
      reason: 'Onderzoek naar misbruik',
    });
  if (options.user === false) return { provider };
  const user = await givenUser(dataSource, 'provider', { providerId: provider.id });
  return { provider, email: user.email, user };
}

/**
 * Signed in while the app's clock reads the machine's time (the second factor is computed from
 * it), then the clock goes back to where the scenario stands.
 */
export async function signedInOnClock(clock: FixedClock, app: Express, who: TestUser): Promise<Agent> {
  const scenario = clock.now();
  clock.set(new Date());
  try {
    return await signedIn(app, who);
  } finally {
    clock.set(scenario);
  }
}
