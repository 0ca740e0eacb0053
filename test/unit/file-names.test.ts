import assert from 'node:assert/strict';
import { evidenceFilename } from '../../src/shared/file-names';

describe('the name evidence is stored and exported under', () => {
  const cases: [string, string][] = [
    ['’s-Hertogenbosch café.pdf', '’s-Hertogenbosch café.pdf'],
    ['Überprüfung – ﬁnal.PDF', 'Überprüfung – ﬁnal.pdf'],
    ['cafe\u0301.pdf', 'café.pdf'], // decomposed é becomes the single letter
    ['../../etc/passwd', 'passwd.pdf'],
    ['C:\\Users\\jan\\bewijs.pdf', 'bewijs.pdf'],
    ['a<b>c:d|e?f*g.pdf', 'abcdefg.pdf'],
    ['regel\nnieuw\u202Eomgekeerd.pdf', 'regelnieuwomgekeerd.pdf'],
    ['rapport.html', 'rapport.pdf'],
    ['...', 'bewijsstuk.pdf'],
    ['', 'bewijsstuk.pdf'],
  ];
  for (const [uploaded, stored] of cases) {
    it(`${JSON.stringify(uploaded)} → ${JSON.stringify(stored)}`, () =>
      assert.equal(evidenceFilename(uploaded), stored));
  }
});
