import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { readSettings } from '../settings/settings.service';
import { paths } from '../shared/paths';

/** The fixed public pages: home, accessibility statement, privacy statement (with where to ask). */
export function pageRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  router.get(paths.home, (_req, res) =>
    res.render('pages/home', { title: 'home.title', registerUrl: paths.register }),
  );
  router.get(paths.accessibility, (_req, res) =>
    res.render('pages/accessibility', { title: 'accessibility.title' }),
  );
  router.get(paths.privacy, async (_req, res) => {
    const { contactEmail } = await readSettings(dataSource.manager, config);
    res.render('pages/privacy', { title: 'privacy.title', contactEmail });
  });
  return router;
}
