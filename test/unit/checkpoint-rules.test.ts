import assert from 'node:assert/strict';
import { checkpointDue, checkpointsBehind } from '../../src/transparency/checkpoint-rules';

describe('checkpointDue', () => {
  const signedAt = new Date('2026-11-30T12:00:00Z');
  const last = { treeSize: 10, signedAt };
  const after = (seconds: number) => new Date(signedAt.getTime() + seconds * 1000);
  const cases: [string, Parameters<typeof checkpointDue>, boolean][] = [
    ['none signed yet, empty log', [undefined, 0, after(0), 30], true],
    ['none signed yet', [undefined, 5, after(0), 30], true],
    ['not grown, just signed', [last, 10, after(1), 30], false],
    ['not grown, interval passed', [last, 10, after(31), 30], false],
    ['not grown, asked', [last, 10, after(31), 30, true], false],
    ['grown, within the interval', [last, 11, after(29), 30], false],
    ['grown, interval passed exactly', [last, 11, after(30), 30], true],
    ['grown, within the interval, asked', [last, 11, after(1), 30, true], true],
    ['not grown, a second short of a day', [last, 10, after(86_399), 30], false],
    ['not grown, a day', [last, 10, after(86_400), 30], true],
    ['smaller (the signer then refuses), a day', [last, 9, after(86_400), 30], true],
    ['smaller, interval passed', [last, 9, after(60), 30], false],
  ];
  for (const [name, args, due] of cases)
    it(`${due ? 'signs' : 'waits'}: ${name}`, () => assert.equal(checkpointDue(...args), due));
});

describe('checkpointsBehind (the warning on /transparantie)', () => {
  const signedAt = new Date('2026-11-30T12:00:00Z');
  const last = { treeSize: 10, signedAt };
  const after = (seconds: number) => new Date(signedAt.getTime() + seconds * 1000);
  // Interval 30 s: three missed looks and a minute is 150 s.
  const cases: [string, Parameters<typeof checkpointsBehind>, boolean][] = [
    ['no checkpoint yet', [undefined, 5, after(0), 30], false],
    ['grown, within three intervals and a minute', [last, 11, after(150), 30], false],
    ['grown, past three intervals and a minute', [last, 11, after(151), 30], true],
    ['grown, a longer interval', [last, 11, after(151), 300], false],
    ['grown, past three longer intervals and a minute', [last, 11, after(961), 300], true],
    ['not grown, a day old (the daily one is due now)', [last, 10, after(86_400), 30], false],
    ['not grown, 25 hours old exactly', [last, 10, after(90_000), 30], false],
    ['not grown, more than 25 hours old', [last, 10, after(90_001), 30], true],
    ['smaller than the checkpoint, an hour old', [last, 9, after(3600), 30], false],
  ];
  for (const [name, args, behind] of cases)
    it(`${behind ? 'warns' : 'is quiet'}: ${name}`, () => assert.equal(checkpointsBehind(...args), behind));
});
