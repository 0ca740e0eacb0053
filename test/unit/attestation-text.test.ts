import assert from 'node:assert/strict';
import { keepNamesTogether } from '../../src/attestation/attestation.pdf';

describe('keepNamesTogether (names with an elided article stay on one line in the PDF)', () => {
  const cases: [string, string][] = [
    ['5211 AB ’s-Hertogenbosch', '5211 AB ’s\u2011Hertogenbosch'],
    ['’s-Gravenhage', '’s\u2011Gravenhage'],
    ["Den Bosch ('s-Hertogenbosch)", "Den Bosch ('s\u2011Hertogenbosch)"],
    ['’t-Harde', '’t\u2011Harde'],
    ['’s Gravenzande', '’s\u00a0Gravenzande'],
    ['Hotel ’t Zand,’s-Heerenberg', 'Hotel ’t\u00a0Zand,’s\u2011Heerenberg'],
    // Not an elided article: left alone.
    ['Noord-Brabant', 'Noord-Brabant'],
    ['Klaas-Jan’s-Hosting', 'Klaas-Jan’s-Hosting'],
    ['Dit is ’s ochtends', 'Dit is ’s\u00a0ochtends'],
    ['’s- ', '’s- '],
    ['', ''],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () =>
      assert.equal(keepNamesTogether(input), expected));
  }
});
