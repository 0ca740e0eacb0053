import assert from 'node:assert/strict';
import { Application } from '../../src/application/application.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { addDays, toLocalDate } from '../../src/shared/time';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { statementsDuring } from '../helpers/queries';
import { type Agent, signedIn, signedInApplicant, tokenFor } from '../helpers/session';

const PDF = simplePdf('Ondertekende gedragscode');

/** Set MEASURE_QUERIES=1 to print how many statements each successful POST sends. */
const report = (what: string, statements: string[]) => {
  if (process.env.MEASURE_QUERIES) process.stderr.write(`      ${statements.length} statements: ${what}\n`);
};

/** Only the page shows the messages of an application; no change on it reads them. */
const readsMessages = (statements: string[]) =>
  statements.filter((sql) => /FROM "?application_messages\b/i.test(sql));

describe('form POSTs that succeed', () => {
  const context = useTestApp();
  let applicant: Agent;
  let applicationId: string;
  let reviewer: Agent;

  const version = async () =>
    String(
      (await context.db.dataSource.getRepository(Application).findOneByOrFail({ id: applicationId })).version,
    );

  /** Fetches the form's token first, then records the statements of the POST alone. */
  const post = async (agent: Agent, page: string, action: string, fields: Record<string, string>) => {
    const _csrf = await tokenFor(agent, page);
    let status = 0;
    const statements = await statementsDuring(async () => {
      status = (
        await agent
          .post(action)
          .type('form')
          .send({ ...fields, _csrf })
      ).status;
    });
    assert.equal(status, 303, `${action} answered ${status}`);
    return statements;
  };

  before(async () => {
    const codeVersion = await givenCodeVersion(context.db.dataSource, {
      publishedAt: new Date('2025-01-01'),
    });
    const started = await signedInApplicant(context.app, context.db.dataSource);
    applicant = started.agent;
    applicationId = started.applicationId;
    reviewer = await signedIn(context.app, await givenUser(context.db.dataSource, 'reviewer'));
    const statements = await post(applicant, `/aanvragen/${applicationId}`, `/aanvragen/${applicationId}`, {
      version: await version(),
      codeOfConductVersionId: codeVersion.id,
      codeSignedOn: '2026-01-15',
      signatoryName: 'Sam Signer',
      signatoryRole: 'Directeur',
      aanSince: '2025-06-01',
      aanContactName: 'Anna AAN',
      aanContactEmail: 'aan@hosting.example',
    });
    report('save an application', statements);
    assert.deepEqual(readsMessages(statements), []);
  });

  it('an evidence upload does not build the application page', async () => {
    for (const kind of ['code_of_conduct', 'aan_confirmation']) {
      const _csrf = await tokenFor(applicant, `/aanvragen/${applicationId}`);
      let status = 0;
      const statements = await statementsDuring(async () => {
        status = (
          await applicant
            .post(`/aanvragen/${applicationId}/bewijsstukken`)
            .field('_csrf', _csrf)
            .field('kind', kind)
            .attach('file', PDF, `${kind}.pdf`)
        ).status;
      });
      assert.equal(status, 303);
      report(`upload evidence (${kind})`, statements);
      assert.deepEqual(readsMessages(statements), []);
    }
  });

  it('submitting does not build the application page', async () => {
    const statements = await post(
      applicant,
      `/aanvragen/${applicationId}`,
      `/aanvragen/${applicationId}/indienen`,
      {
        version: await version(),
      },
    );
    report('submit an application', statements);
    assert.deepEqual(readsMessages(statements), []);
  });

  it("a reviewer's decision does not build the review page", async () => {
    for (const action of ['start_review', 'approve']) {
      const page = `/beoordeling/aanvragen/${applicationId}`;
      const statements = await post(reviewer, page, `${page}/besluit`, {
        action,
        message: '',
        version: await version(),
      });
      report(`decide: ${action}`, statements);
      assert.deepEqual(readsMessages(statements), []);
    }
  });

  it('a status action on a provider does not build the provider page', async () => {
    const { kvkNumber } = await context.db.dataSource
      .getRepository(Application)
      .createQueryBuilder('a')
      .innerJoin('providers', 'p', 'p.id = a.provider_id')
      .select('p.kvk_number', 'kvkNumber')
      .where('a.id = :id', { id: applicationId })
      .getRawOne<{ kvkNumber: string }>()
      .then((row) => row!);
    const page = `/beoordeling/hostingproviders/${kvkNumber}`;
    const statements = await post(reviewer, page, `${page}/status`, {
      action: 'suspend',
      reason: 'Test',
      until: '',
    });
    report('suspend a provider', statements);
    // Only the page lists the provider's attestations.
    assert.deepEqual(
      statements.filter((sql) => /FROM "?attestations\b/i.test(sql)),
      [],
    );
  });

  it('publishing a code version does not build the list of versions', async () => {
    const admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
    const statements = await post(admin, '/beheer/gedragscode', '/beheer/gedragscode', {
      versionLabel: `Q-${Date.now() % 100000}`,
      versionTitle: 'Gedragscode Q',
      publishedOn: toLocalDate(new Date()),
      transitionEndsOn: toLocalDate(addDays(new Date(), 30)),
    });
    report('publish a code version', statements);
    const beforeTransaction = statements.slice(0, statements.indexOf('START TRANSACTION'));
    assert.deepEqual(
      beforeTransaction.filter((sql) => /FROM "?code_of_conduct_versions\b/i.test(sql)),
      [],
      'the versions are read once, in the transaction that publishes',
    );
  });
});
