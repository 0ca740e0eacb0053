import { Router } from 'express';
import { paths } from '../shared/paths';

/** The fixed public pages: home, accessibility statement, privacy statement. */
export function pageRoutes(): Router {
  const router = Router();
  router.get(paths.home, (_req, res) =>
    res.render('pages/home', { title: 'home.title', registerUrl: paths.register }),
  );
  router.get(paths.accessibility, (_req, res) =>
    res.render('pages/accessibility', { title: 'accessibility.title' }),
  );
  router.get(paths.privacy, (_req, res) => res.render('pages/privacy', { title: 'privacy.title' }));
  return router;
}
