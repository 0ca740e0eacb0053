import assert from 'node:assert/strict';
import { versionChanges } from '../../src/status/status-snapshot.service';
import type { CodeVersionFact } from '../../src/status/status-rules';

const at = (day: string) => new Date(`${day}T00:00:00Z`);
const v1: CodeVersionFact = { id: 'v1', publishedAt: at('2024-01-01'), transitionEndsAt: at('2024-01-01') };
const v2: CodeVersionFact = { id: 'v2', publishedAt: at('2025-01-01'), transitionEndsAt: at('2025-06-01') };
const v3: CodeVersionFact = { id: 'v3', publishedAt: at('2026-01-01'), transitionEndsAt: at('2026-06-01') };

describe('which code versions a publication or withdrawal changes (versionChanges)', () => {
  it('a new version: the version it lapses from its transition end, and itself from its publication', () => {
    assert.deepEqual(versionChanges([v1, v2], [v1, v2, v3]), [
      { versionId: 'v2', from: at('2026-06-01') },
      { versionId: 'v3', from: at('2026-01-01') },
    ]);
  });

  it('a withdrawn version: the version whose lapse it moves, from the old lapse, and itself', () => {
    assert.deepEqual(versionChanges([v1, v2, v3], [v1, v2]), [
      { versionId: 'v2', from: at('2026-06-01') },
      { versionId: 'v3', from: at('2026-01-01') },
    ]);
  });

  it('nothing when the versions stay the same', () => {
    assert.deepEqual(versionChanges([v1, v2], [v1, v2]), []);
  });
});
