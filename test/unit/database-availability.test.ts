import assert from 'node:assert/strict';
import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import { isDatabaseBusy, isDatabaseUnavailable } from '../../src/database/availability';
import { limitsFrom, longOnly } from '../../src/database/limits';
import { loadConfig } from '../../src/config';
import { OverloadedError } from '../../src/shared/errors';
import { errorStatus, isBusy } from '../../src/web/error-handler';

/** A driver error as pg gives it, inside TypeORM's QueryFailedError. */
const failed = (code: string | undefined, message: string) =>
  new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), code ? { code } : {}));

describe('telling load from an outage', () => {
  for (const [what, error] of [
    ['a statement at its limit', failed('57014', 'canceling statement due to statement timeout')],
    [
      'an idle transaction at its limit',
      failed('25P03', 'terminating connection due to idle-in-transaction timeout'),
    ],
    ['a full pool', new Error('timeout exceeded when trying to connect')],
  ] as const) {
    it(`reads ${what} as busy (503), not as the database away`, () => {
      assert.equal(isDatabaseBusy(error), true);
      assert.equal(isDatabaseUnavailable(error), false);
      assert.equal(isBusy(error), true);
      assert.equal(errorStatus(error), 503);
    });
  }

  for (const [what, error] of [
    [
      'a connection that could not be made in time',
      new Error('Connection terminated due to connection timeout'),
    ],
    ['a connection lost mid-query', failed(undefined, 'Connection terminated unexpectedly')],
    ['a transaction whose connection was released after its loss', new QueryRunnerAlreadyReleasedError()],
    ['the same through EntityManager.query', new QueryRunnerProviderAlreadyReleasedError()],
    ['a refused connection', failed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
  ] as const) {
    it(`reads ${what} as the database away (503), not as load`, () => {
      assert.equal(isDatabaseUnavailable(error), true);
      assert.equal(isDatabaseBusy(error), false);
      assert.equal(isBusy(error), false);
      assert.equal(errorStatus(error), 503);
    });
  }

  it('reads a place for heavy work that did not come free as busy; a broken query stays a 500', () => {
    assert.equal(isBusy(new OverloadedError(3)), true);
    const broken = failed('42703', 'column "nope" does not exist');
    assert.equal(isDatabaseBusy(broken) || isDatabaseUnavailable(broken), false);
    assert.equal(errorStatus(broken), 500);
  });

  it("takes the settings' limits for requests, and the long one for everything in a command", () => {
    const config = loadConfig({
      DATABASE_STATEMENT_TIMEOUT_SECONDS: '7',
      DATABASE_LONG_WORK_TIMEOUT_SECONDS: '900',
    });
    assert.deepEqual(limitsFrom(config), {
      statementSeconds: 7,
      idleInTransactionSeconds: 60,
      poolWaitSeconds: 3,
      longWorkSeconds: 900,
    });
    assert.deepEqual(limitsFrom(config, 'long'), longOnly(limitsFrom(config)));
    assert.deepEqual(limitsFrom(config, 'long'), {
      statementSeconds: 900,
      idleInTransactionSeconds: 900,
      poolWaitSeconds: 3,
      longWorkSeconds: 900,
    });
  });
});
