import assert from 'node:assert/strict';
import {
  buyerEmailAllowed,
  DEFAULT_BUYER_EMAIL_DOMAINS,
  domainAllowed,
  emailDomain,
  isDomainPattern,
} from '../../src/shared/buyer-domains';
import { ConfigError, loadConfig } from '../../src/config';

describe('buyer e-mail domains', () => {
  const cases: [string, boolean][] = [
    ['inkoper@rijksoverheid.nl', true],
    ['Inkoper@MINVENJ.NL', true],
    ['a.b@minbuza.nl', true],
    ['iemand@belastingdienst.overheid.nl', true],
    ['iemand@a.b.overheid.nl', true],
    ['iemand@overheid.nl', false],
    ['iemand@overheid.nl.evil.com', false],
    ['iemand@evil-overheid.nl', false],
    ['iemand@eviloverheid.nl', false],
    ['iemand@rijksoverheid.nl.evil.com', false],
    ['iemand@sub.rijksoverheid.nl', false],
    ['iemand@gmail.com', false],
    ['iemand@minvenj.nl.', false],
    ['geen-adres', false],
    ['@minvenj.nl', false],
  ];
  for (const [email, allowed] of cases) {
    it(`${allowed ? 'allows' : 'refuses'} ${email}`, () => {
      assert.equal(buyerEmailAllowed(email, DEFAULT_BUYER_EMAIL_DOMAINS), allowed);
    });
  }

  it('reads the domain of an address in lower case, or nothing', () => {
    assert.equal(emailDomain('X@Sub.Overheid.NL'), 'sub.overheid.nl');
    assert.equal(emailDomain('x@localhost'), undefined);
    assert.equal(emailDomain('x@-bad.nl'), undefined);
  });

  it('matches a wildcard by whole labels only', () => {
    assert.equal(domainAllowed('x.example.org', ['*.example.org']), true);
    assert.equal(domainAllowed('xexample.org', ['*.example.org']), false);
    assert.equal(domainAllowed('example.org', ['*.example.org']), false);
  });

  it('knows a pattern from a mistake', () => {
    assert.deepEqual(
      ['minvenj.nl', '*.overheid.nl', '*', '*.nl.', 'overheid', 'a..nl', '**.nl'].map(isDomainPattern),
      [true, true, false, false, false, false, false],
    );
  });

  it('is configured by BUYER_EMAIL_DOMAINS, and refuses a list it cannot read', () => {
    assert.deepEqual(loadConfig({}).buyerEmailDomains, DEFAULT_BUYER_EMAIL_DOMAINS);
    assert.deepEqual(loadConfig({ BUYER_EMAIL_DOMAINS: 'Gemeente.nl, *.example.org' }).buyerEmailDomains, [
      'gemeente.nl',
      '*.example.org',
    ]);
    assert.throws(() => loadConfig({ BUYER_EMAIL_DOMAINS: 'gemeente.nl,*' }), ConfigError);
  });
});
