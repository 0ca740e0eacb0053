/** A cell Excel would read as a formula gets a leading apostrophe (CSV injection, OWASP). */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * csv-stringify's options for a file that Dutch Excel opens as columns with a double click: a
 * UTF-8 byte order mark (without it Excel reads the bytes as Windows-1252), semicolons (the list
 * separator under Dutch regional settings; commas put every row in one cell) and CRLF line ends.
 */
export const EXCEL_CSV = { bom: true, delimiter: ';', record_delimiter: 'windows' } as const;
