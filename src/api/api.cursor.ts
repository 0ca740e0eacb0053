/**
 * The cursor of the change feed (`vanaf`): opaque to clients, who only pass on what a `next` link
 * gave them, but stable (the same position always gives the same cursor, so a cached page stays
 * good). It is base64url of a version tag and the position: the id of the last change read, which is
 * in commit order. The tag lets a later version read or refuse old cursors deliberately.
 */

const TAG = 'sw1:';
/** The largest bigint PostgreSQL holds. */
const MAX_POSITION = 9_223_372_036_854_775_807n;

export function encodeCursor(position: string): string {
  return Buffer.from(`${TAG}${position}`, 'utf8').toString('base64url');
}

/** The position a cursor stands for, or undefined when it is not one this API gave out. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // Decoding forgives what base64url does not allow (stray bits); only an exact round trip counts.
  if (encodeCursor(text.slice(TAG.length)) !== cursor || !text.startsWith(TAG)) return undefined;
  const position = text.slice(TAG.length);
  if (!/^(0|[1-9][0-9]{0,18})$/.test(position) || BigInt(position) > MAX_POSITION) return undefined;
  return position;
}
