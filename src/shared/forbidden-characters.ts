/**
 * Characters no text field of the register may hold: control characters (C0 except tab, line feed
 * and carriage return; DEL; C1) and the invisible marks that reorder or disguise text (the
 * bidirectional embeddings, overrides and isolates, the directional marks). PostgreSQL refuses NUL
 * outright, and a name with a right-to-left override can pass for another provider's name.
 */
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

export function hasForbiddenCharacters(text: string): boolean {
  return FORBIDDEN.test(text);
}

/** `text` with each forbidden character shown as U+FFFD (�): safe to show, and visibly marked. */
export function markForbiddenCharacters(text: string): string {
  return text.replace(new RegExp(FORBIDDEN.source, 'gu'), '\uFFFD');
}

/**
 * What a one-line field may not hold besides the forbidden characters: tab, line feed, carriage
 * return and the Unicode line and paragraph separators (the other line breaks, VT, FF and NEL,
 * are forbidden everywhere already).
 */
const LINE_BREAKS_AND_TABS = /[\t\n\r\u2028\u2029]/u;

/**
 * The zero-width characters (space, non-joiner, joiner, word joiner, and the byte-order mark used as
 * a no-break space): invisible, so a name with one looks the same as a name without, and can pass
 * for another provider's. Refused in one-line fields (names); not everywhere, because a text file
 * may start with a byte-order mark.
 */
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/u;

/** Text fit for a one-line field: no control character, line break, tab, text-direction mark or zero-width character. */
export function isOneLine(text: string): boolean {
  return !hasForbiddenCharacters(text) && !LINE_BREAKS_AND_TABS.test(text) && !ZERO_WIDTH.test(text);
}

/**
 * The name of the first field in a parsed query string or form body (strings, arrays and nested
 * objects, as a query parser makes them) whose value or name holds a forbidden character.
 */
export function fieldWithForbiddenCharacters(input: unknown, name = ''): string | undefined {
  if (typeof input === 'string') return hasForbiddenCharacters(input) ? name || '(value)' : undefined;
  if (!input || typeof input !== 'object') return undefined;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (hasForbiddenCharacters(key)) return key;
    const found = fieldWithForbiddenCharacters(value, name || key);
    if (found) return found;
  }
  return undefined;
}

/** The 1-based number of the first line of `text` that holds a forbidden character, if one does. */
export function lineWithForbiddenCharacters(text: string): number | undefined {
  const index = text.split(/\r\n|\n|\r/).findIndex(hasForbiddenCharacters);
  return index < 0 ? undefined : index + 1;
}
