import { must } from '../../src/shared/must';
import type { Agent } from './session';

/** Reading the audit log's page and downloads in tests. */

/** A download as text, whatever its media type (supertest would otherwise keep some as files). */
export const downloadText = (agent: Pick<Agent, 'get'>, url: string) =>
  agent
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(null, body));
    });

/** A download as bytes. */
export const downloadBytes = (agent: Pick<Agent, 'get'>, url: string) =>
  agent
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });

/** The event numbers of the rows on an audit log page, in page order. */
export const auditIds = (html: string) =>
  [...html.matchAll(/data-audit-id="(\d+)"/g)].map((m) => Number(m[1]));

/** How many events the page says it found. */
export const auditTotal = (html: string) =>
  Number(must(/data-total="(\d+)"/.exec(html)?.[1], 'the page says how many'));

/** The text of a page as a reader sees it: tags gone, the entities Handlebars writes decoded. */
export const readable = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
