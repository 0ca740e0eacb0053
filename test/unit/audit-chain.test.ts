import assert from 'node:assert/strict';
import { type ChainLink, chainHash, checkLinks, GENESIS_HASH } from '../../src/audit/audit-chain';
import { must } from '../../src/shared/must';

function chain(count: number): ChainLink[] {
  const links: ChainLink[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= count; i++) {
    const content = {
      id: String(i),
      occurredAt: new Date(Date.UTC(2026, 0, i)),
      actor: 'tester',
      action: 'provider.created',
      subjectType: 'provider',
      subjectId: `p${i}`,
      data: { b: i, a: 'x' },
    };
    const hash = chainHash(prev, content);
    links.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return links;
}

describe('audit chain', () => {
  it('hashes the same content to the same hash, whatever the key order of its data', () => {
    const link = must(chain(1)[0], 'a chain of one');
    const reordered = { ...link, data: { a: 'x', b: 1 } };
    assert.equal(chainHash(GENESIS_HASH, reordered), link.hash);
    assert.match(link.hash, /^[0-9a-f]{64}$/);
  });

  it('accepts an intact chain and returns its last hash', () => {
    const links = chain(5);
    assert.deepEqual(checkLinks(links, GENESIS_HASH), { lastHash: must(links[4], 'five links').hash });
  });

  it('names a link whose content was changed', () => {
    const links = chain(5);
    links[2] = { ...must(links[2], 'five links'), actor: 'someone else' };
    assert.deepEqual(checkLinks(links, GENESIS_HASH).broken, { id: '3', problem: 'content_mismatch' });
  });

  it('names the link after one that was removed', () => {
    const links = chain(5);
    links.splice(1, 1);
    assert.deepEqual(checkLinks(links, GENESIS_HASH).broken, { id: '3', problem: 'predecessor_mismatch' });
  });

  it('names the link after one whose content and hash were both rewritten', () => {
    const links = chain(5);
    const forged = { ...must(links[1], 'five links'), actor: 'forger' };
    links[1] = { ...forged, hash: chainHash(forged.prevHash, forged) };
    assert.deepEqual(checkLinks(links, GENESIS_HASH).broken, { id: '3', problem: 'predecessor_mismatch' });
  });

  it('continues from the hash of the previous batch', () => {
    const links = chain(4);
    const first = checkLinks(links.slice(0, 2), GENESIS_HASH);
    assert.ok(!first.broken);
    assert.deepEqual(checkLinks(links.slice(2), first.lastHash), {
      lastHash: must(links[3], 'four links').hash,
    });
  });
});
