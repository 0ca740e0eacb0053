import assert from 'node:assert/strict';
import request from 'supertest';
import { createLogger } from '../../src/shared/logger';
import { maskSingleUseLinks } from '../../src/shared/single-use-links';
import { testApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { signedIn } from '../helpers/session';
import { givenUser } from '../factories/user.factory';

describe('the request log', () => {
  let db: TestDatabase;
  const lines: string[] = [];
  let app: ReturnType<typeof testApp>['app'];

  before(async () => {
    db = await createTestDatabase();
    // The app's own logger, with its real serializers and redaction, writing into memory.
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    app = testApp(db.dataSource, { logger }).app;
  });
  after(() => db.drop());

  it('holds no session cookie, reset token, invitation token or credential header', async () => {
    const admin = await signedIn(app, await givenUser(db.dataSource, 'admin'));
    await admin.get('/account').expect(200);
    const cookie = 'vhp.sid=s%3Athe-session-id-of-a-victim.signature';
    const reset = '/wachtwoord-herstellen/RESETsecret0123456789abcdef';
    await request(app).get(reset).set('Cookie', cookie);
    await request(app).post(reset).set('Cookie', cookie).type('form').send({});
    await request(app).get('/uitnodiging/INVITEsecret0123456789abcdef?lang=en').set('Cookie', cookie);
    await request(app)
      .get('/hostingproviders')
      .set('Cookie', cookie)
      .set('Authorization', 'Bearer api-secret');
    await request(app).get('/api/v1/hostingproviders').set('Cookie', cookie);
    await request(app).get(`/api/v1/webhook-abonnementen?apiKey=vhpk_QUERYprefix1_${'s'.repeat(43)}`);

    const log = lines.join('');
    assert.ok(lines.length >= 6, `the requests were logged (${lines.length} lines)`);
    for (const secret of [
      'RESETsecret',
      'INVITEsecret',
      'the-session-id-of-a-victim',
      'api-secret',
      'vhp.sid=',
      'QUERYprefix1',
    ])
      assert.ok(!log.includes(secret), `a log line holds ${secret}`);
    assert.match(log, /"url":"\/wachtwoord-herstellen\/\[token\]"/);
    assert.match(log, /"url":"\/uitnodiging\/\[token\]\?lang=en"/);
    for (const line of lines) {
      const entry = JSON.parse(line) as { req?: Record<string, unknown> };
      assert.equal(entry.req?.headers, undefined, 'no request headers in a log line');
    }
  });
});

describe('maskSingleUseLinks', () => {
  for (const [text, masked] of [
    ['/wachtwoord-herstellen/abcDEF123_-', '/wachtwoord-herstellen/[token]'],
    ['/uitnodiging/xyz?lang=en', '/uitnodiging/[token]?lang=en'],
    ['/e-mailadres-bevestigen/abcDEF123_-', '/e-mailadres-bevestigen/[token]'],
    // An eHerkenning callback: its authorisation code and state.
    [
      '/inloggen/eherkenning/terug?code=Sp1g-Xk_9&state=abc.DEF&iss=https%3A%2F%2Fbroker',
      '/inloggen/eherkenning/terug?code=[token]&state=[token]&iss=https%3A%2F%2Fbroker',
    ],
    [
      '/inloggen/eherkenning/terug?STATE=s1&Code=c1#x',
      '/inloggen/eherkenning/terug?STATE=[token]&Code=[token]#x',
    ],
    // Only whole parameter names: `barcode=` is no code.
    ['/zoeken?barcode=123&statement=x', '/zoeken?barcode=123&statement=x'],
    // The "check your mail" page holds no secret.
    ['/e-mailadres-bevestigen', '/e-mailadres-bevestigen'],
    ['/hostingproviders/12345678', '/hostingproviders/12345678'],
    // An API key in the query string (issue 18): by its form, and by the parameter's name.
    [
      '/api/v1/webhook-abonnementen?apiKey=vhpk_AbCdEfGh1234_' + 'x'.repeat(43) + '&pagina=2',
      '/api/v1/webhook-abonnementen?apiKey=[token]&pagina=2',
    ],
    [
      '/api/v1/webhook-abonnementen?q=vhpk_AbCdEfGh1234_secret',
      '/api/v1/webhook-abonnementen?q=vhpk_[token]',
    ],
    ['/api/v1/x?filter=vhpk%5FAbCd%5Fsecret', '/api/v1/x?filter=vhpk_[token]'],
    ['/api/v1/x?API_KEY=s3cret&Token=t0k&key=k1', '/api/v1/x?API_KEY=[token]&Token=[token]&key=[token]'],
    ['/api/v1/x?api%5Fkey=s3cret', '/api/v1/x?api%5Fkey=[token]'],
    // Only whole parameter names: `monkey=` and `tokens=` hold no key.
    ['/zoeken?monkey=1&tokens=2', '/zoeken?monkey=1&tokens=2'],
    // Routing ignores case and doubled slashes, so an attacker's odd spelling still reaches the page.
    ['/Wachtwoord-Herstellen/abcDEF123', '/Wachtwoord-Herstellen/[token]'],
    ['/UITNODIGING//xyz', '/UITNODIGING//[token]'],
    [
      'Open http://register.test/uitnodiging/Abc-_123 binnen 7 dagen.\nhttp://x/wachtwoord-herstellen/q9',
      'Open http://register.test/uitnodiging/[token] binnen 7 dagen.\nhttp://x/wachtwoord-herstellen/[token]',
    ],
  ] as const) {
    it(`masks ${JSON.stringify(text)}`, () => assert.equal(maskSingleUseLinks(text), masked));
  }
});
