/** A plain number as people type it: a sign, digits, at most one decimal comma or point. */
const PLAIN_NUMBER = /^[+-]?[0-9]+(?:[.,][0-9]+)?$/;

/**
 * A cell Excel would read as a formula gets a leading apostrophe (CSV injection, OWASP): one that
 * starts with = + - @, a tab or a carriage return. A plain number (-12, +5, -3,50) is left alone:
 * Excel reads it as that number, not as a formula, and the apostrophe would change the value.
 */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/**
 * csv-stringify's options for a file that Dutch Excel opens as columns with a double click: a
 * UTF-8 byte order mark (without it Excel reads the bytes as Windows-1252), semicolons (the list
 * separator under Dutch regional settings; commas put every row in one cell) and CRLF line ends.
 */
export const EXCEL_CSV = { bom: true, delimiter: ';', record_delimiter: 'windows' } as const;
