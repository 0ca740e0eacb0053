import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { deliveryError } from './webhook-errors';
import { isPublicAddress, type TargetRules, targetRefusal } from './webhook-target';

/** How much of a receiver's answer is read before it is abandoned: a receiver cannot make the register buffer much. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface PostOutcome {
  /** The receiver's HTTP status, when it answered. */
  statusCode: number | undefined;
  /** Why it failed (no answer, refused target, non-2xx), short and without secrets; undefined: delivered. */
  error: string | undefined;
  durationMs: number;
}

export interface PostOptions extends TargetRules {
  timeoutMs: number;
}

/** Agents that refuse to connect to non-public addresses, checked after the name is resolved (DNS rebinding too). */
const guarded = {
  http: new RequestFilteringHttpAgent({ keepAlive: false }),
  https: new RequestFilteringHttpsAgent({ keepAlive: false }),
};

export type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;
type Lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/**
 * A `lookup` for the socket that fails when the name resolves to an address that is not public by
 * the register's own list (isPublicAddress): the connect-time guard for the ranges
 * request-filtering-agent lets through (IPv4-compatible IPv6, ::/96). The address connected to is
 * one of those checked, so a name that changes its answer in between (DNS rebinding) gains nothing.
 */
export function publicOnlyLookup(resolve: Lookup = dnsLookup): Lookup {
  return (hostname, options, callback) => {
    resolve(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const all = typeof address === 'string' ? [address] : address.map((a) => a.address);
      const refused = all.find((a) => !isPublicAddress(a));
      if (refused !== undefined) {
        return callback(
          new Error(
            `DNS lookup ${refused} (host: ${hostname}) is not allowed. Because it is not a public address.`,
          ),
          address,
          family,
        );
      }
      callback(null, address, family);
    });
  };
}

/** A short reason from an error of node:http or the filtering agent, without a stack. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TimeoutError) return deliveryError('timeout', error.ms);
  if (/is not allowed\. Because/.test(message)) return deliveryError('refused_target', message);
  return deliveryError('network', message);
}

/** The attempt took longer than its timeout. */
class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no complete answer within ${ms} ms`);
  }
}

/**
 * POSTs one delivery: no redirects followed (a 3xx is a failure), at most `timeoutMs` from the
 * start to the end of the answer, at most MAX_RESPONSE_BYTES of the answer read. 2xx is
 * delivered. Outside tests, connections to non-public addresses are refused when the socket
 * connects, whatever the name resolved to when the subscription was saved.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
  started: () => number = () => performance.now(),
): Promise<PostOutcome> {
  const start = started();
  const done = (statusCode: number | undefined, error: string | undefined): PostOutcome => ({
    statusCode,
    error,
    durationMs: Math.max(0, Math.round(started() - start)),
  });
  const refusal = targetRefusal(url, options);
  if (refusal) return Promise.resolve(done(undefined, deliveryError('refused_target', refusal)));
  const target = new URL(url);
  const https = target.protocol === 'https:';
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const send = https ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // Tests and demos allow loopback receivers; then the plain agents of node:http(s) will do.
        ...(options.allowPrivate
          ? {}
          : { agent: https ? guarded.https : guarded.http, lookup: publicOnlyLookup() }),
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const error =
          status >= 200 && status < 300
            ? undefined
            : status >= 300 && status < 400
              ? deliveryError('redirect')
              : deliveryError('http_status');
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) {
            // The status said all there is to know; the rest is abandoned, not waited for.
            res.destroy();
            finish(done(status, error));
          }
        });
        res.on('end', () => finish(done(status, error)));
        res.on('error', () => finish(done(status, error)));
        res.on('close', () => finish(done(status, error)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new TimeoutError(options.timeoutMs));
    }, options.timeoutMs);
    req.on('error', (error) => finish(done(undefined, reasonOf(error))));
    req.end(body);
  });
}
