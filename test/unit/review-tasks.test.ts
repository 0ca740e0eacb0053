import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('review tasks', () => {
  it('are opened in one place only: insertReviewTask in src/provider/review-tasks.ts', () => {
    const openers = readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join('src', f))
      .filter((file) => /INSERT\s+INTO\s+review_tasks\b/i.test(readFileSync(path.join(ROOT, file), 'utf8')));
    assert.deepEqual(openers, [path.join('src', 'provider', 'review-tasks.ts')]);
  });
});
