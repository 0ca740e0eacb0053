import type { Express } from 'express';

/** Every (method, path) the app routes, as "METHOD /path", read from Express' own router. */
export function appRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: unknown[], prefix: string) => {
    for (const layer of stack as {
      route?: { path: string; methods: Record<string, boolean> };
      handle?: { stack?: unknown[] };
      rawPath?: unknown;
    }[]) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          found.push(`${method.replace(/^_/, '').toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack) {
        // A router mounted at a path (the API at /api, its version at /v1) adds that path.
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack, '');
  return found;
}
