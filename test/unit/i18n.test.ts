import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { hasMessage, LANGUAGES, messageKeys, translate } from '../../src/shared/i18n';
import { REASON_CODES, STATUS_EVENT_KINDS } from '../../src/status/status-rules';
import { must } from '../../src/shared/must';

const VIEWS = path.join(__dirname, '..', '..', '..', 'views');

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? templates(full) : full.endsWith('.hbs') ? [full] : [];
  });
}

describe('translations', () => {
  it('has the same keys in Dutch and English', () => {
    const nl = messageKeys('nl');
    const en = messageKeys('en');
    assert.deepEqual(
      nl.filter((k) => !en.includes(k)),
      [],
      'keys in nl.json missing from en.json',
    );
    assert.deepEqual(
      en.filter((k) => !nl.includes(k)),
      [],
      'keys in en.json missing from nl.json',
    );
  });

  it('has every literal key the views use, in both languages', () => {
    const used = new Set<string>();
    for (const file of templates(VIEWS)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\(?\bt "([a-zA-Z0-9_.]+)"/g))
        used.add(must(match[1], 'the pattern has a group'));
    }
    assert.ok(used.size > 40, `found ${used.size} keys`);
    for (const lang of LANGUAGES) {
      assert.deepEqual(
        [...used].filter((k) => !hasMessage(lang, k)),
        [],
        `missing in ${lang}`,
      );
    }
  });

  it('has a label and an explanation for every reason code, and a name for every kind of status event', () => {
    for (const lang of LANGUAGES) {
      for (const code of ['verantwoord', ...REASON_CODES]) {
        assert.ok(hasMessage(lang, `status.label.${code}`), `${lang}: status.label.${code}`);
        assert.ok(hasMessage(lang, `status.explanation.${code}`), `${lang}: status.explanation.${code}`);
      }
      for (const kind of STATUS_EVENT_KINDS)
        assert.ok(hasMessage(lang, `statusEvent.kind.${kind}`), `${lang}: ${kind}`);
    }
  });

  it('fills in placeholders', () => {
    assert.equal(translate('nl', 'pagination.position', { page: 2, pageCount: 7 }), 'Pagina 2 van 7');
    assert.equal(translate('en', 'pagination.position', { page: 2, pageCount: 7 }), 'Page 2 of 7');
  });

  it('shows the key itself for a key that does not exist', () => {
    assert.equal(translate('en', 'no.such.key'), 'no.such.key');
  });
});
