import type { Request } from 'express';
import { paths } from '../shared/paths';

/** The first segments of the register's own page addresses: `/inloggen`, `/transparantie`, … */
const KNOWN_FIRST_SEGMENTS: ReadonlySet<string> = new Set(
  Object.values(paths).flatMap((value) => {
    const path: unknown =
      typeof value === 'function'
        ? (value as (...args: string[]) => unknown)(...Array<string>(value.length).fill('x'))
        : value;
    const segment = typeof path === 'string' ? path.split('/')[1] : undefined;
    return segment ? [`/${segment}`] : [];
  }),
);

/** The most of a raw request path kept beside the audit log (personal data). */
export const RAW_PATH_MAX = 300;

/**
 * Which route a request was for, as the code names it, never as the visitor typed it (a path can
 * carry any text, names and e-mail addresses among it, and the audit log is not erasable): the
 * route Express matched, else the first segment of the path when it is one of the register's own,
 * else "(unknown)".
 */
export function routePattern(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}`;
  const first = `/${req.path.split('/')[1] ?? ''}`;
  return KNOWN_FIRST_SEGMENTS.has(first) ? first : '(unknown)';
}
