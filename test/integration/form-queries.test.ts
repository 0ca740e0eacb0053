import assert from 'node:assert/strict';
import { Application } from '../../src/application/application.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { addDays, toLocalDate } from '../../src/shared/time';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { confirmationFields, previewOf } from '../helpers/code-versions';
import { statementsDuring } from '../helpers/queries';
import { type Agent, signedIn, signedInApplicant, tokenFor } from '../helpers/session';

const PDF = simplePdf('Ondertekende gedragscode');

/** Set MEASURE_QUERIES=1 to print how many statements each successful POST sends. */
const report = (what: string, statements: string[]) => {
  if (process.env.MEASURE_QUERIES) process.stderr.write(`      ${statements.length} statements: ${what}\n`);
};

/** The statements that read `table`, as TypeORM or raw SQL names it. */
const reading = (statements: string[], table: string) =>
  statements.filter((sql) => new RegExp(`FROM "?${table}\\b`, 'i').test(sql));

/** A form POST with the page's token (fetched first); the statements of the POST alone, which must succeed. */
async function postRecorded(agent: Agent, page: string, send: (csrf: string) => Promise<{ status: number }>) {
  const csrf = await tokenFor(agent, page);
  let status = 0;
  const statements = await statementsDuring(async () => {
    status = (await send(csrf)).status;
  });
  assert.equal(status, 303, `a POST from ${page} answered ${status}`);
  return statements;
}

async function postForm(agent: Agent, page: string, action: string, fields: Record<string, string>) {
  return postRecorded(agent, page, (_csrf) =>
    agent
      .post(action)
      .type('form')
      .send({ ...fields, _csrf }),
  );
}

describe('a form POST that succeeds builds no page', () => {
  const context = useTestApp();

  it('from saving an application to suspending the provider: no step reads what only the pages show', async () => {
    const { dataSource } = context.db;
    const codeVersion = await givenCodeVersion(dataSource, { publishedAt: new Date('2025-01-01') });
    const { agent: applicant, applicationId: id } = await signedInApplicant(context.app, dataSource);
    const reviewer = await signedIn(context.app, await givenUser(dataSource, 'reviewer'));
    const application = () => dataSource.getRepository(Application).findOneByOrFail({ id });
    const version = async () => String((await application()).version);
    const page = `/aanvragen/${id}`;
    const reviewPage = `/beoordeling/aanvragen/${id}`;
    // Only the application pages show its messages; no change to it reads them.
    const steps: [string, () => Promise<string[]>][] = [
      [
        'save an application',
        async () =>
          postForm(applicant, page, page, {
            version: await version(),
            codeOfConductVersionId: codeVersion.id,
            codeSignedOn: '2026-01-15',
            signatoryName: 'Sam Signer',
            signatoryRole: 'Directeur',
            aanSince: '2025-06-01',
            aanContactName: 'Anna AAN',
            aanContactEmail: 'aan@hosting.example',
          }),
      ],
      ...['code_of_conduct', 'aan_confirmation'].map((kind): [string, () => Promise<string[]>] => [
        `upload evidence (${kind})`,
        () =>
          postRecorded(applicant, page, (csrf) =>
            applicant
              .post(`${page}/bewijsstukken`)
              .field('_csrf', csrf)
              .field('kind', kind)
              .attach('file', PDF, `${kind}.pdf`),
          ),
      ]),
      [
        'submit an application',
        async () => postForm(applicant, page, `${page}/indienen`, { version: await version() }),
      ],
      ...['start_review', 'approve'].map((action): [string, () => Promise<string[]>] => [
        `decide: ${action}`,
        async () =>
          postForm(reviewer, reviewPage, `${reviewPage}/besluit`, {
            action,
            message: '',
            version: await version(),
            confirm: '1',
          }),
      ]),
    ];
    for (const [what, step] of steps) {
      const statements = await step();
      report(what, statements);
      assert.deepEqual(reading(statements, 'application_messages'), [], what);
    }
    assert.equal((await application()).state, 'approved');

    const { kvkNumber } = await dataSource
      .createQueryBuilder()
      .select('p.kvk_number', 'kvkNumber')
      .from('providers', 'p')
      .where('p.id = :id', { id: (await application()).providerId })
      .getRawOne<{ kvkNumber: string }>()
      .then((row) => row ?? assert.fail('the provider exists'));
    const providerPage = `/beoordeling/hostingproviders/${kvkNumber}`;
    const statements = await postForm(reviewer, providerPage, `${providerPage}/status`, {
      action: 'suspend',
      reason: 'Test',
      until: '',
      confirm: '1',
    });
    report('suspend a provider', statements);
    // Only the provider's page lists its attestations. The snapshot refresh asks which of them
    // ended or changed, to tell the buyers who watch the provider (issue 18): no page, and each of
    // its statements reads the stored status or the watch lists beside them.
    const forWatchers = (sql: string) => /\b(provider_status|watch_list_entries)\b/.test(sql);
    assert.deepEqual(
      reading(statements, 'attestations').filter((sql) => !forWatchers(sql)),
      [],
    );
  });

  it('publishing a code version reads the versions once, in the transaction that publishes', async () => {
    const admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
    // The preview first (it writes nothing), then the confirmation that publishes: that POST is measured.
    const preview = await previewOf(admin, {
      versionLabel: '1.0',
      versionTitle: 'Gedragscode Q',
      publishedOn: toLocalDate(new Date()),
      transitionEndsOn: toLocalDate(addDays(new Date(), 30)),
    });
    assert.equal(preview.status, 200, preview.text);
    const statements = await postForm(
      admin,
      '/beheer/gedragscode',
      '/beheer/gedragscode/bevestigen',
      confirmationFields(preview.text),
    );
    report('publish a code version', statements);
    const beforeTransaction = statements.slice(0, statements.indexOf('START TRANSACTION'));
    assert.deepEqual(reading(beforeTransaction, 'code_of_conduct_versions'), []);
  });
});
