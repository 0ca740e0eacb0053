import assert from 'node:assert/strict';
import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import { isDatabaseBusy, isDatabaseUnavailable, logBackgroundFailure } from '../../src/database/availability';
import { createLogger } from '../../src/shared/logger';
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

describe('logging a failure of background work', () => {
  const logged = (error: unknown, level?: 'error' | 'warn') => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logBackgroundFailure(logger, error, 'outbox delivery failed', level);
    return JSON.parse(lines.join('')) as {
      level: number;
      load?: boolean;
      unavailable?: boolean;
      msg: string;
    };
  };

  it('logs a full pool as load: a warning marked load', () => {
    const line = logged(new Error('timeout exceeded when trying to connect'));
    assert.deepEqual([line.level, line.load, line.unavailable], [40, true, undefined]);
    assert.match(line.msg, /^outbox delivery failed \(too busy/);
  });

  it('logs the database away as unavailable: a warning', () => {
    const line = logged(failed('57P01', 'terminating connection due to administrator command'));
    assert.deepEqual([line.level, line.load, line.unavailable], [40, undefined, true]);
    assert.match(line.msg, /unavailable/);
  });

  it('keeps any other failure at its level', () => {
    assert.deepEqual(
      [logged(new Error('no such column')).level, logged(new Error('no such column'), 'warn').level],
      [50, 40],
    );
    assert.equal(logged(new Error('no such column')).msg, 'outbox delivery failed');
  });
});
