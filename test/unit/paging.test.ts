import assert from 'node:assert/strict';
import { MAX_PAGE_NUMBER, pageNumber } from '../../src/web/paging';

describe('pageNumber: the web pages read ?page= without ever failing', () => {
  it('reads a whole number from 1', () => {
    assert.equal(pageNumber('1'), 1);
    assert.equal(pageNumber('42'), 42);
    assert.equal(pageNumber('007'), 7);
  });

  it('reads a huge number as the highest page, which the pages show as their last', () => {
    assert.equal(pageNumber('99999999999999999999'), MAX_PAGE_NUMBER);
    assert.equal(pageNumber('1000000001'), MAX_PAGE_NUMBER);
    assert.equal(pageNumber(String(MAX_PAGE_NUMBER)), MAX_PAGE_NUMBER);
    assert.equal(pageNumber(`000${'9'.repeat(400)}`), MAX_PAGE_NUMBER);
    assert.ok(Number.isSafeInteger(MAX_PAGE_NUMBER * 1000), 'every offset stays a safe integer');
  });

  it('reads anything else as page 1', () => {
    for (const raw of ['', '0', '000', '-1', '1e3', '2.5', 'abc', ' 3', '0x10', 'Infinity'])
      assert.equal(pageNumber(raw), 1, raw);
    assert.equal(pageNumber(undefined), 1);
    assert.equal(pageNumber(['2', '3']), 1, 'a page given twice');
  });
});
