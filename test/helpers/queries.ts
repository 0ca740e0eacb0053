import { Client } from 'pg';

/** The SQL of one call of pg's query: a text, or a config object (or a stream) with a `text`. */
function sqlOf(first: unknown): string {
  if (typeof first === 'string') return first;
  const text = (first as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : '';
}

/**
 * The SQL statements sent to PostgreSQL while `work` runs: every round trip of every pool (TypeORM's,
 * the session store's, raw pool queries), so what one request costs the database.
 */
export async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  // Put back on the prototype afterwards and only ever called with apply and its own `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = Client.prototype.query;
  // pg's query has many overloads; the wrapper only reads the text and passes everything on.
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    statements.push(sqlOf(args[0]));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
  try {
    await work();
  } finally {
    Client.prototype.query = original;
  }
  return statements;
}
