import { startTestServer, stopTestServer } from './database';

process.env.NODE_ENV = 'test';

/** Mocha root hooks: one database server for the whole run, with fresh databases on it. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    await startTestServer();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestServer();
  },
};
