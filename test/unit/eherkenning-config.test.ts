import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db/register',
  MIGRATION_DATABASE_URL: 'postgres://owner@db/register',
  PUBLIC_BASE_URL: 'https://register.example',
  SESSION_SECRET: 'x'.repeat(40),
  SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
  SIGNING_P12_FILE: 'signing.p12',
  SIGNING_P12_PASSPHRASE: 'secret',
  LOG_SIGNING_KEY_FILE: 'log.pem',
  SEED_DEMO_DATA: 'false',
};
const BROKER = {
  EHERKENNING_ISSUER: 'https://broker.example/oidc',
  EHERKENNING_CLIENT_ID: 'register',
  EHERKENNING_CLIENT_SECRET: 'secret',
};

describe('eHerkenning settings', () => {
  it('uses the built-in demo provider for `npm start` (development) and nothing in test or production', () => {
    const demo = loadConfig({ PUBLIC_BASE_URL: 'http://localhost:3000' }).eherkenning;
    assert.equal(demo?.mode, 'demo');
    assert.equal(demo?.issuer, 'http://localhost:3000/demo-eherkenning');
    assert.equal(demo?.redirectUrl, 'http://localhost:3000/inloggen/eherkenning/terug');
    assert.equal(loadConfig({ NODE_ENV: 'test' }).eherkenning, undefined);
    assert.equal(loadConfig({ NODE_ENV: 'test', EHERKENNING_DEMO: 'true' }).eherkenning?.mode, 'demo');
    assert.equal(loadConfig({ EHERKENNING_DEMO: 'false' }).eherkenning, undefined);
    assert.equal(loadConfig(PRODUCTION).eherkenning, undefined);
  });

  it('has the defaults: EH3, the eToegang legal subject claim, the callback under PUBLIC_BASE_URL', () => {
    const set = loadConfig({ ...BROKER, PUBLIC_BASE_URL: 'https://register.example' }).eherkenning!;
    assert.deepEqual(set, {
      mode: 'broker',
      issuer: 'https://broker.example/oidc',
      clientId: 'register',
      clientSecret: 'secret',
      privateKeyFile: undefined,
      redirectUrl: 'https://register.example/inloggen/eherkenning/terug',
      assuranceLevel: 'EH3',
      kvkClaim: 'urn:etoegang:core:LegalSubjectID',
    });
    const other = loadConfig({
      ...BROKER,
      EHERKENNING_ASSURANCE_LEVEL: 'eh2+',
      EHERKENNING_KVK_CLAIM: 'kvk_number',
      EHERKENNING_REDIRECT_URL: 'https://login.register.example/terug',
    }).eherkenning!;
    assert.deepEqual(
      [other.assuranceLevel, other.kvkClaim, other.redirectUrl],
      ['EH2+', 'kvk_number', 'https://login.register.example/terug'],
    );
  });

  it('takes private_key_jwt with a key file instead of a secret', () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'vhp-eh-'));
    const file = path.join(folder, 'client.pem');
    writeFileSync(file, 'not read here');
    const set = loadConfig({ ...BROKER, EHERKENNING_CLIENT_SECRET: '', EHERKENNING_PRIVATE_KEY_FILE: file });
    assert.equal(set.eherkenning?.privateKeyFile, file);
    assert.equal(set.eherkenning?.clientSecret, undefined);
  });

  const REFUSED: [string, NodeJS.ProcessEnv, RegExp][] = [
    [
      'the demo in production',
      { ...PRODUCTION, EHERKENNING_DEMO: 'true' },
      /EHERKENNING_DEMO=true is refused/,
    ],
    ['a client id without an issuer', { EHERKENNING_CLIENT_ID: 'x' }, /need EHERKENNING_ISSUER/],
    [
      'an issuer without a client id',
      { EHERKENNING_ISSUER: 'https://b.example' },
      /EHERKENNING_CLIENT_ID is required/,
    ],
    [
      'neither a secret nor a key file',
      { EHERKENNING_ISSUER: 'https://b.example', EHERKENNING_CLIENT_ID: 'x' },
      /exactly one of EHERKENNING_CLIENT_SECRET/,
    ],
    [
      'both a secret and a key file',
      { ...BROKER, EHERKENNING_PRIVATE_KEY_FILE: __filename },
      /exactly one of EHERKENNING_CLIENT_SECRET/,
    ],
    [
      'a key file that is not there',
      { ...BROKER, EHERKENNING_CLIENT_SECRET: '', EHERKENNING_PRIVATE_KEY_FILE: '/nonexistent.pem' },
      /is not a file/,
    ],
    [
      'an unknown level',
      { ...BROKER, EHERKENNING_ASSURANCE_LEVEL: 'EH5' },
      /EHERKENNING_ASSURANCE_LEVEL must be one of EH1, EH2, EH2\+, EH3, EH4/,
    ],
    [
      'an issuer that is no URL',
      { ...BROKER, EHERKENNING_ISSUER: 'broker' },
      /EHERKENNING_ISSUER must be an absolute URL/,
    ],
    [
      'a plain-http issuer in production',
      { ...PRODUCTION, ...BROKER, EHERKENNING_ISSUER: 'http://broker.example' },
      /must be an https URL/,
    ],
    ['the demo beside a broker', { ...BROKER, EHERKENNING_DEMO: 'true' }, /exclude each other/],
  ];
  for (const [name, env, message] of REFUSED)
    it(`refuses ${name} with a clear start-up error`, () =>
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      ));
});
