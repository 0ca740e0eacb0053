import assert from 'node:assert/strict';
import { type Agent, submitForm, tokenFor } from './session';

/*
 * A buyer's watch list pages driven as a browser would (issue 18): make a list, add a supplier,
 * upload a file to the import. Shared by the watch list tests.
 */

/** The list's id from the URL a creation redirects to. */
export function listIdOf(location: string | undefined): string {
  const id = /\/inkoop\/volglijsten\/([0-9a-f-]{36})/.exec(location ?? '')?.[1];
  assert.ok(id, `a watch list's address: ${location}`);
  return id;
}

/** A new list through the form on /inkoop; the answer as it came (303 when made). */
export function postNewList(agent: Agent, name: string) {
  return submitForm(agent, '/inkoop', '/inkoop/volglijsten', { listName: name });
}

/** Adds a supplier through the list page's form; fields left out are sent empty. */
export function addEntry(agent: Agent, listId: string, fields: Record<string, string>) {
  const url = `/inkoop/volglijsten/${listId}`;
  return submitForm(agent, url, `${url}/leveranciers`, {
    reference: '',
    contractStart: '',
    contractEnd: '',
    ...fields,
  });
}

/** A CSV file of these lines (CRLF), as a spreadsheet program saves it. */
export const csvFile = (lines: string[]) => ({
  bytes: Buffer.from(lines.join('\r\n'), 'utf8'),
  name: 'lijst.csv',
});

/** Posts the import form (multipart) with these fields and, if given, a file. */
export async function upload(
  agent: Agent,
  listId: string,
  fields: Record<string, string>,
  file?: { bytes: Buffer; name: string },
) {
  const token = await tokenFor(agent, `/inkoop/volglijsten/${listId}`);
  let req = agent.post(`/inkoop/volglijsten/${listId}/importeren`).field('_csrf', token);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  if (file) req = req.attach('bestand', file.bytes, file.name);
  return req;
}

/** The preview's hidden copy of the uploaded rows, to confirm the import with. */
export const bronOf = (html: string) => /name="bron" value="([^"]+)"/.exec(html)![1]!.replace(/&#x3D;/g, '=');
