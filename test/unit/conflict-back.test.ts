import assert from 'node:assert/strict';
import type { Request } from 'express';
import { ConflictError } from '../../src/shared/errors';
import { conflictBackTo } from '../../src/web/error-handler';

/** A request as the 409 page reads it: only its Host and Referer headers. */
function requestWith(referer: string | undefined, host = 'register.example'): Request {
  const headers: Record<string, string | undefined> = { host, referer };
  return { get: (name: string) => headers[name.toLowerCase()] } as unknown as Request;
}

describe('conflictBackTo: where the 409 page links back to, never to another site', () => {
  it('the page the error names comes first', () => {
    const error = new ConflictError('errors.conflict.body', { backTo: '/beheer/gedragscode/1' });
    assert.equal(
      conflictBackTo(error, requestWith('https://register.example/elders')),
      '/beheer/gedragscode/1',
    );
  });

  it('else the page the form was on, as a path of this site', () => {
    const error = new ConflictError('errors.conflict.body');
    assert.equal(
      conflictBackTo(error, requestWith('https://register.example/aanvragen/7?tab=2')),
      '/aanvragen/7?tab=2',
    );
  });

  for (const referer of [
    'https://evil.example/aanvragen/7',
    'https://register.example.evil.example/',
    'https://register.example//evil.example/x',
    'https://register.example:8443/aanvragen/7',
    'javascript:alert(1)',
    'not a url',
    undefined,
  ]) {
    it(`no link back for a Referer of ${String(referer)}`, () => {
      assert.equal(
        conflictBackTo(new ConflictError('errors.conflict.body'), requestWith(referer)),
        undefined,
      );
    });
  }
});
