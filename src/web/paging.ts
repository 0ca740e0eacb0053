/**
 * The highest page number read: a longer number is past the end of any list, and shows the last
 * page as a page past the end does. It keeps every offset a page number makes a safe integer.
 */
export const MAX_PAGE_NUMBER = 1_000_000_000;

/**
 * A page number from the query string: a whole number from 1, a larger one than MAX_PAGE_NUMBER
 * as that (past the end: the pages show their last page); anything else (`abc`, `-1`, `1e3`,
 * `2.5`, a page given twice) means page 1.
 */
export function pageNumber(raw: unknown): number {
  if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw)) return 1;
  const digits = raw.replace(/^0+/, '');
  if (digits.length > String(MAX_PAGE_NUMBER).length) return MAX_PAGE_NUMBER;
  return Math.min(MAX_PAGE_NUMBER, Math.max(1, Number(digits)));
}

/**
 * What the pagination partial needs of a list: the page shown, how many there are, and the links
 * to the pages before and after it (none at either end; a page past the end links back to the last).
 */
export function pageLinks(
  page: number,
  pageCount: number,
  pageUrl: (n: number) => string,
): { page: number; pageCount: number; previousUrl?: string; nextUrl?: string } {
  return {
    page,
    pageCount,
    previousUrl: page > 1 ? pageUrl(Math.min(page - 1, pageCount)) : undefined,
    nextUrl: page < pageCount ? pageUrl(page + 1) : undefined,
  };
}
