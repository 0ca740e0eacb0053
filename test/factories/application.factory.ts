import type { DataSource } from 'typeorm';
import {
  addEvidence,
  saveApplication,
  startApplication,
  submitApplication,
} from '../../src/application/application.service';
import { Application } from '../../src/application/application.entity';
import type { Config } from '../../src/config';
import type { User } from '../../src/identity/user.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { addMonths, toLocalDate } from '../../src/shared/time';
import type { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { testConfig } from '../helpers/app';

/**
 * An application of `user`'s organisation on `version`, filled in with both evidence files through
 * the services people use, and submitted at `now` (unless `submit` is false: left a draft).
 */
export async function givenFilledApplication(
  ds: DataSource,
  user: User,
  version: CodeOfConductVersion,
  now: Date,
  options: { submit?: boolean; config?: Config } = {},
): Promise<Application> {
  const config = options.config ?? testConfig;
  const application = await startApplication(ds, user, config, now);
  const current = async () =>
    String((await ds.getRepository(Application).findOneByOrFail({ id: application.id })).version);
  await saveApplication(
    ds,
    user,
    application.id,
    {
      codeOfConductVersionId: version.id,
      codeSignedOn: toLocalDate(addMonths(now, -1)),
      signatoryName: 'Sara Tekenaar',
      signatoryRole: 'Directeur',
      aanSince: toLocalDate(addMonths(now, -2)),
      aanContactName: 'Anna AAN',
      aanContactEmail: 'aan@aanvraag.example',
    },
    await current(),
    now,
  );
  for (const kind of ['code_of_conduct', 'aan_confirmation'] as const) {
    await addEvidence(
      ds,
      user,
      application.id,
      { kind, filename: `${kind}.pdf`, content: simplePdf(`${kind} ${application.id}`) },
      config,
      now,
    );
  }
  if (options.submit !== false)
    await submitApplication(ds, user, application.id, await current(), config, now);
  return ds.getRepository(Application).findOneByOrFail({ id: application.id });
}
