import { Router } from 'express';
import { paths } from '../shared/paths';

/**
 * The fixed public pages: home, accessibility statement, privacy statement; `contactEmail` answers
 * the register's contact address (a setting) that the privacy statement sends requests to.
 */
export function pageRoutes(contactEmail: () => Promise<string>): Router {
  const router = Router();
  router.get(paths.home, (_req, res) =>
    res.render('pages/home', { title: 'home.title', registerUrl: paths.register }),
  );
  router.get(paths.accessibility, (_req, res) =>
    res.render('pages/accessibility', { title: 'accessibility.title' }),
  );
  router.get(paths.privacy, async (_req, res) => {
    res.render('pages/privacy', { title: 'privacy.title', contactEmail: await contactEmail() });
  });
  return router;
}
