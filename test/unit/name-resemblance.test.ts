import assert from 'node:assert/strict';
import { keysResemble, nameKey } from '../../src/register/name-resemblance';

describe('nameKey: a name as it is compared with verified providers’ names (issue 17 §2)', () => {
  for (const [name, key, why] of [
    ['Polderwolk B.V.', 'polderwolk', 'the legal form is left out'],
    ['POLDERWOLK BV', 'polderwolk', 'case and a legal form without dots'],
    ['Polderwolk B. V.', 'polderwolk', 'a legal form with a space'],
    ['Polderwolk N.V.', 'polderwolk', 'N.V.'],
    ['Polderwolk V.O.F.', 'polderwolk', 'V.O.F.'],
    ['Stichting Polderwolk', 'polderwolk', 'a legal form in front'],
    ['Polderwolk besloten vennootschap', 'polderwolk', 'a legal form written out'],
    ['Pölderwölk', 'polderwolk', 'accents'],
    ['Polder Wolk', 'polderwolk', 'spaces'],
    ['Polder-Wolk, (NL)', 'polderwolk', 'punctuation, and a common word'],
    ['Polderwolk Hosting', 'polderwolk', 'a word every hosting name may hold'],
    ['P0lderw0lk', 'polderwolk', 'zero for o'],
    ['PoIderwoIk', 'polderwolk', 'capital i for l'],
    ['Po1derwo1k', 'polderwolk', 'one for l'],
    ['Polderwoik', 'polderwolk', 'i for l'],
    ['Ρolderwolk', 'polderwolk', 'a Greek capital rho for P'],
    ['Роlderwolk', 'polderwolk', 'Cyrillic Р and о'],
    ['Ｐｏｌｄｅｒｗｏｌｋ', 'polderwolk', 'full-width letters'],
    ['Pol\u200Bderwolk', 'polderwolk', 'a zero-width space'],
    ['Modern Hosting', 'modem', 'rn passes for m'],
    ['Hosting B.V.', 'hostlng', 'only common words: they are kept'],
    ['B.V.', '', 'only a legal form: nothing left'],
    ['Jansen & Zn. V.O.F.', 'jansenzn', 'an ampersand and an abbreviation'],
    ['VVebwolk', 'webwolk', 'vv passes for w'],
  ] as const) {
    it(`${JSON.stringify(name)} → ${JSON.stringify(key)} (${why})`, () => {
      assert.equal(nameKey(name), key);
    });
  }

  it('gives other organisations other keys', () => {
    for (const [a, b] of [
      ['Polderwolk B.V.', 'Polderbouw B.V.'],
      ['Polderwolk', 'Dijkwolk'],
      ['Hostnet', 'Hostnext'],
    ] as const)
      assert.notEqual(nameKey(a), nameKey(b), `${a} and ${b}`);
  });
});

describe('keysResemble', () => {
  for (const [a, b, similarity, resemble, why] of [
    ['polderwolk', 'polderwolk', 1, true, 'equal keys'],
    ['abc', 'abc', 1, true, 'equal short keys'],
    ['polderwolk', 'polderwolken', 0.71, true, 'similar enough'],
    ['hostnet', 'hostnext', 0.55, true, 'one letter more'],
    ['polderwolk', 'polderbouw', 0.38, false, 'only the start in common'],
    ['abc', 'abd', 0.6, false, 'short keys count only when equal'],
    ['', '', 1, false, 'an empty key resembles nothing'],
  ] as const) {
    it(`${a} / ${b}: ${resemble ? 'resemble' : 'do not resemble'} (${why})`, () => {
      assert.equal(keysResemble(a, b, similarity), resemble);
    });
  }
});
