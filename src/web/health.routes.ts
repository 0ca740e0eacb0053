import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { checkReadiness } from '../database/data-source';
import type { Lifecycle } from '../shared/lifecycle';
import { paths } from '../shared/paths';

/** Liveness and readiness, for load balancers and orchestrators. No login, no side effects. */
export function healthRoutes(dataSource: DataSource, lifecycle: Lifecycle): Router {
  const router = Router();

  router.get(paths.healthz, (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  router.get(paths.readyz, async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (lifecycle.stopping) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    // Within a second whatever the database does, on a connection of its own: a busy pool is no outage.
    const status = await checkReadiness(dataSource);
    res.status(status === 'ready' ? 200 : 503).json({ status });
  });

  return router;
}
