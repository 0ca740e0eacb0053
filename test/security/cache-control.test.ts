import assert from 'node:assert/strict';
import request from 'supertest';
import { addEvidence, startApplication } from '../../src/application/application.service';
import { simplePdf } from '../../src/seed/demo-pdf';
import { testConfig, useTestApp } from '../helpers/app';
import { signedIn } from '../helpers/session';
import { givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';

describe('Cache-Control on responses with a session or personal data', () => {
  const ctx = useTestApp();

  it('is no-store on account, application, evidence, staff, audit pages and exports', async () => {
    const provider = await givenProvider(ctx.db.dataSource);
    const owner = await givenUser(ctx.db.dataSource, 'provider', { providerId: provider.id });
    const application = await startApplication(ctx.db.dataSource, owner.user, testConfig, new Date());
    const evidence = await addEvidence(
      ctx.db.dataSource,
      owner.user,
      application.id,
      {
        kind: 'code_of_conduct',
        filename: 'code.pdf',
        content: simplePdf('cache'),
      },
      testConfig,
      new Date(),
    );
    const providerAgent = await signedIn(ctx.app, owner);
    const admin = await signedIn(ctx.app, await givenUser(ctx.db.dataSource, 'admin'));
    const checks: [typeof admin, string][] = [
      [providerAgent, '/account'],
      [providerAgent, '/account/tweestapsverificatie'],
      [providerAgent, `/aanvragen/${application.id}`],
      [providerAgent, `/aanvragen/${application.id}/bewijsstukken/${evidence.id}`],
      [admin, '/account'],
      [admin, '/beoordeling'],
      [admin, `/beoordeling/aanvragen/${application.id}`],
      [admin, `/beoordeling/hostingproviders/${provider.kvkNumber}`],
      [admin, '/beheer/uitgaande-mail'],
      [admin, '/beheer/medewerkers'],
      [admin, '/beheer/auditlog'],
      [admin, '/beheer/auditlog.csv'],
      [admin, '/beheer/auditlog.jsonl'],
      [admin, '/beheer/auditlog/controle'],
      // Public pages too while someone is signed in: the header shows who.
      [admin, '/hostingproviders'],
    ];
    for (const [agent, url] of checks) {
      const res = await agent.get(url);
      assert.equal(res.status, 200, `${url} answered ${res.status}`);
      assert.match(String(res.headers['cache-control']), /no-store/, `${url} may be cached`);
    }
  });

  it('is no-store on anonymous form pages, which carry a CSRF token', async () => {
    for (const url of [
      '/inloggen',
      '/registreren',
      '/wachtwoord-vergeten',
      '/verificatie',
      '/controleren/lijst',
    ]) {
      const res = await request(ctx.app).get(url).expect(200);
      assert.match(String(res.headers['cache-control']), /no-store/, `${url} may be cached`);
    }
  });
});
