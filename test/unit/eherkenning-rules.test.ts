import assert from 'node:assert/strict';
import type { AssuranceLevel } from '../../src/config';
import {
  acrValueOf,
  assuranceLevelOf,
  kvkNumberFromClaim,
  meetsLevel,
} from '../../src/identity/eherkenning-rules';

describe('eHerkenning rules', () => {
  const ACR: [unknown, AssuranceLevel | undefined][] = [
    ['urn:etoegang:core:assurance-class:loa1', 'EH1'],
    ['urn:etoegang:core:assurance-class:loa2', 'EH2'],
    ['urn:etoegang:core:assurance-class:loa2plus', 'EH2+'],
    ['urn:etoegang:core:assurance-class:loa3', 'EH3'],
    ['urn:etoegang:core:assurance-class:loa4', 'EH4'],
    ['URN:ETOEGANG:CORE:ASSURANCE-CLASS:LOA3', 'EH3'],
    ['EH3', 'EH3'],
    ['eh2+', 'EH2+'],
    ['EH2plus', 'EH2+'],
    [' EH4 ', 'EH4'],
    ['loa3', undefined],
    ['EH5', undefined],
    ['urn:etoegang:core:assurance-class:loa5', undefined],
    ['', undefined],
    [3, undefined],
    [undefined, undefined],
    [['EH3'], undefined],
  ];
  for (const [acr, level] of ACR)
    it(`reads acr ${JSON.stringify(acr)} as ${level ?? 'no level'}`, () =>
      assert.equal(assuranceLevelOf(acr), level));

  it('orders the levels EH1 < EH2 < EH2+ < EH3 < EH4', () => {
    const levels: AssuranceLevel[] = ['EH1', 'EH2', 'EH2+', 'EH3', 'EH4'];
    for (const [i, a] of levels.entries())
      for (const [j, b] of levels.entries()) assert.equal(meetsLevel(a, b), i >= j, `${a} meets ${b}`);
  });

  it('asks the broker for the level by its eToegang URN, which reads back as the level', () => {
    for (const level of ['EH1', 'EH2', 'EH2+', 'EH3', 'EH4'] as const)
      assert.equal(assuranceLevelOf(acrValueOf(level)), level);
  });

  const KVK: [unknown, string | undefined][] = [
    ['12345678', '12345678'],
    [' 12345678 ', '12345678'],
    ['urn:etoegang:1.9:EntityConcernedID:KvKnr:12345678', '12345678'],
    ['urn:etoegang:1.9:EntityConcernedID:kvknr:12345678', '12345678'],
    ['KvKnummer:87654321', '87654321'],
    ['kvk:87654321', '87654321'],
    ['urn:etoegang:1.9:EntityConcernedID:RSIN:123456789', undefined],
    ['urn:etoegang:1.9:EntityConcernedID:RSIN:12345678', undefined],
    ['urn:etoegang:1.9:EntityConcernedID:KvKnr:1234567', undefined],
    ['urn:etoegang:1.9:EntityConcernedID:KvKnr:123456789', undefined],
    ['urn:etoegang:1.9:EntityConcernedID:KvKnr:123456780000', undefined],
    ['1234567', undefined],
    ['123456789', undefined],
    ['1234567a', undefined],
    [':12345678', undefined],
    ['KvKnr:12345678:extra', undefined],
    [12345678, undefined],
    [undefined, undefined],
    [['12345678'], undefined],
  ];
  for (const [claim, number] of KVK)
    it(`reads the KvK claim ${JSON.stringify(claim)} as ${number ?? 'missing'}`, () =>
      assert.equal(kvkNumberFromClaim(claim), number));
});
