import assert from 'node:assert/strict';
import { checkpointDue } from '../../src/transparency/checkpoint-rules';

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
