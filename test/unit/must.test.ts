import assert from 'node:assert/strict';
import { must } from '../../src/shared/must';

describe('must: a value the code knows is there', () => {
  it('returns a value that is there, falsy ones included', () => {
    assert.equal(must('x', 'test'), 'x');
    assert.equal(must(0, 'test'), 0);
    assert.equal(must('', 'test'), '');
    assert.equal(must(null, 'test'), null);
  });

  it('throws with the reason when the value is missing', () => {
    const empty: string[] = [];
    assert.throws(() => must(empty[0], 'a list of one'), { message: 'Missing value: a list of one' });
  });
});
