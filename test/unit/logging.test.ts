import assert from 'node:assert/strict';
import { loggableUrl } from '../../src/app';

describe('request logging', () => {
  for (const [url, logged] of [
    ['/wachtwoord-herstellen/abcDEF123_-', '/wachtwoord-herstellen/[token]'],
    ['/uitnodiging/xyz?lang=en', '/uitnodiging/[token]?lang=en'],
    ['/hostingproviders/12345678', '/hostingproviders/12345678'],
  ]) {
    it(`logs ${url} as ${logged}`, () => assert.equal(loggableUrl(url), logged));
  }
});
