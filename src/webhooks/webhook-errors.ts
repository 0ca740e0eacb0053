/**
 * Why a delivery attempt failed, as stored in `webhook_attempts.error` and
 * `webhook_deliveries.last_error`: a code, and after `: ` a detail (a number of milliseconds, a
 * refusal reason, a system error). Stored as a code rather than a sentence so that the pages can
 * say it in their own language (`webhooks.error.<code>` in the locales); the API shows it as is.
 */
export const DELIVERY_ERROR_CODES = [
  /** A non-2xx, non-3xx answer; its status is in the status column. */
  'http_status',
  /** A 3xx answer: redirects are not followed. */
  'redirect',
  /** No complete answer within the timeout (detail: the milliseconds). */
  'timeout',
  /** The target's address is not public (detail: why). */
  'refused_target',
  /** No connection or a broken one (detail: the system's error). */
  'network',
  /** Nothing was sent: the signing failed (detail: why). */
  'not_sent',
] as const;
export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];

/** The stored form of a failure: `code` or `code: detail`, at most 300 characters. */
export function deliveryError(code: DeliveryErrorCode, detail?: string | number): string {
  return (detail === undefined || detail === '' ? code : `${code}: ${detail}`).slice(0, 300);
}

/**
 * A stored failure read back for a page: the translation key and its detail. A text that is not
 * in the stored form (an attempt logged before there were codes) is shown as it is.
 */
export function readDeliveryError(
  stored: string | null | undefined,
): { key: string; detail: string } | undefined {
  if (!stored) return undefined;
  const [code, ...rest] = stored.split(': ');
  const detail = rest.join(': ');
  return (DELIVERY_ERROR_CODES as readonly string[]).includes(code ?? '')
    ? { key: `webhooks.error.${code}`, detail }
    : { key: 'webhooks.error.other', detail: stored };
}
