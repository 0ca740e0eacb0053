import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { migrationsUpToDate, pingDatabase } from '../database/data-source';
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
    try {
      await pingDatabase(dataSource);
      if (!(await migrationsUpToDate(dataSource))) {
        res.status(503).json({ status: 'migrations_pending' });
        return;
      }
    } catch {
      res.status(503).json({ status: 'database_unavailable' });
      return;
    }
    res.json({ status: 'ready' });
  });

  return router;
}
