/** A cell Excel would read as a formula gets a leading apostrophe (CSV injection, OWASP). */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
