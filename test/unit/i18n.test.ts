import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  fillPlaceholders,
  hasMessage,
  type Language,
  LANGUAGES,
  messageKeys,
  translate,
} from '../../src/shared/i18n';
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
        assert.ok(hasMessage(lang, `status.labelWithTerm.${code}`), `${lang}: status.labelWithTerm.${code}`);
      }
      for (const kind of STATUS_EVENT_KINDS)
        assert.ok(hasMessage(lang, `statusEvent.kind.${kind}`), `${lang}: ${kind}`);
    }
  });

  it('fills in placeholders', () => {
    assert.equal(translate('nl', 'pagination.position', { page: 2, pageCount: 7 }), 'Pagina 2 van 7');
    assert.equal(translate('en', 'pagination.position', { page: 2, pageCount: 7 }), 'Page 2 of 7');
  });

  const plurals: [Language, number, string][] = [
    ['nl', 0, '0 hostingproviders'],
    ['nl', 1, '1 hostingprovider'],
    ['nl', 2, '2 hostingproviders'],
    ['nl', 1000, '1000 hostingproviders'],
    ['en', 0, '0 hosting providers'],
    ['en', 1, '1 hosting provider'],
    ['en', 2, '2 hosting providers'],
    ['en', 1.5, '1.5 hosting providers'],
  ];
  for (const [language, count, expected] of plurals) {
    it(`says "${expected}" in ${language}`, () => {
      assert.equal(translate(language, 'register.count', { count }), expected);
    });
  }

  const countedTexts: [string, Language, number, string][] = [
    ['audit.count', 'nl', 1, '1 gebeurtenis gevonden.'],
    ['audit.count', 'nl', 2, '2 gebeurtenissen gevonden, nieuwste eerst.'],
    ['audit.count', 'en', 1, '1 event found.'],
    ['audit.intact', 'nl', 1, 'De keten is intact: 1 gebeurtenis gecontroleerd.'],
    ['audit.intact', 'en', 208, 'The chain is intact: 208 events checked.'],
    ['errors.tooMany.retry', 'nl', 1, 'U kunt het over 1 minuut opnieuw proberen.'],
    ['errors.tooMany.retry', 'en', 1, 'You can try again in 1 minute.'],
    ['errors.tooMany.retry', 'en', 15, 'You can try again in 15 minutes.'],
  ];
  for (const [key, language, count, expected] of countedTexts) {
    it(`says "${expected}" for ${key} in ${language}`, () => {
      assert.equal(translate(language, key, { count }), expected);
    });
  }

  it('has no Dutch status word in an English text except as a code or in brackets after its English', () => {
    const english = messageKeys('en').map((key) => [key, translate('en', key)] as const);
    const bare = english.filter(([, text]) =>
      /(?<![`(])\bverantwoord\b(?! \(responsible\))(?!\))/.test(text.replace(/"verantwoord"/g, '')),
    );
    assert.deepEqual(bare, []);
  });

  it('writes no machine format in the hints and errors of date fields: the browser shows its own, in the user’s order', () => {
    const keys = [
      'hints.date',
      'hints.dateOrToday',
      'dossier.knownOnHint',
      'validation.date',
      'validation.pastDate',
      'validation.futureDate',
    ];
    for (const language of LANGUAGES)
      for (const key of keys)
        assert.doesNotMatch(
          translate(language, key),
          /\d{4}-\d{2}-\d{2}|jjjj|yyyy|dd-mm/i,
          `${language}: ${key}`,
        );
  });

  it('takes the "other" form of a plural text when no number is given', () => {
    assert.equal(translate('en', 'register.count'), '{count} hosting providers');
  });

  it('knows a plural text as a message, and a group that merely has an "other" entry as none', () => {
    assert.ok(hasMessage('nl', 'register.count'));
    assert.ok(hasMessage('nl', 'evidence.kind.other'));
    assert.equal(hasMessage('nl', 'evidence.kind'), false);
  });

  it('fills in a value as typed, even when it holds braces or a replacement pattern', () => {
    assert.equal(
      translate('nl', 'pagination.position', { page: '{pageCount}', pageCount: '$&' }),
      'Pagina {pageCount} van $&',
    );
  });

  // text, params → filled in: a value that ends a sentence itself takes the place of the full stop after it.
  const stops: [string, Record<string, unknown>, string][] = [
    ['… of {organisation}.', { organisation: 'Kaasmarkt Compute B.V.' }, '… of Kaasmarkt Compute B.V.'],
    ['… of {organisation}.', { organisation: 'Kaasmarkt Compute BV' }, '… of Kaasmarkt Compute BV.'],
    ['{organisation}. Next.', { organisation: 'Yahoo!' }, 'Yahoo! Next.'],
    ['Asked: {question}.', { question: 'Why?' }, 'Asked: Why?'],
    ['{organisation} (KvK {kvk}).', { organisation: 'A B.V.', kvk: '12345678' }, 'A B.V. (KvK 12345678).'],
    ['{organisation}, {city}.', { organisation: 'A B.V.', city: 'Gouda' }, 'A B.V., Gouda.'],
    ['{organisation}.', { organisation: '' }, '.'],
    ['Not given: {other}.', {}, 'Not given: {other}.'],
    ['Version {label}.', { label: 3 }, 'Version 3.'],
  ];
  for (const [text, params, filled] of stops) {
    it(`fills in "${text}" with ${JSON.stringify(params)} as "${filled}"`, () =>
      assert.equal(fillPlaceholders(text, params), filled));
  }

  it('ends no text of either language in a double full stop after a name ending in one', () => {
    const name = 'Kaasmarkt Compute B.V.';
    for (const language of LANGUAGES)
      for (const key of messageKeys(language)) {
        const params = { organisation: name, name, legalName: name, count: 1 };
        assert.doesNotMatch(translate(language, key, params), /B\.V\.\./, `${language}: ${key}`);
      }
  });

  it('shows the key itself for a key that does not exist', () => {
    assert.equal(translate('en', 'no.such.key'), 'no.such.key');
  });
});
