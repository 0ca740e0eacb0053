import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  actionLabelKey,
  AUDIT_ACTION_GROUPS,
  AUDIT_SUBJECT_TYPES,
  isKnownAction,
} from '../../src/audit-browser/audit-actions';
import { hasMessage, LANGUAGES } from '../../src/shared/i18n';

const SRC = path.join(__dirname, '..', '..', '..', 'src');

/** The actions the code writes as literals, `action: 'x.y'`, and as templates, `action: \`x.${…}\`` (their prefix). */
function actionsWritten(): { literal: Set<string>; prefixes: Set<string>; subjectTypes: Set<string> } {
  const literal = new Set<string>();
  const prefixes = new Set<string>();
  const subjectTypes = new Set<string>();
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(path.join(SRC, file), 'utf8');
    for (const m of source.matchAll(/\baction: '([a-z_]+\.[a-z_.]+)'/g)) literal.add(m[1] ?? '');
    for (const m of source.matchAll(/\baction: disabled \? '([a-z_.]+)' : '([a-z_.]+)'/g)) {
      literal.add(m[1] ?? '');
      literal.add(m[2] ?? '');
    }
    for (const m of source.matchAll(/\baction: `([a-z_]+\.)\$\{/g)) prefixes.add(m[1] ?? '');
    for (const m of source.matchAll(/\bsubjectType: '([a-z_]+)'/g)) subjectTypes.add(m[1] ?? '');
  }
  return { literal, prefixes, subjectTypes };
}

describe('the audit log’s list of actions', () => {
  it('knows every action the code writes, so the page can name it and offer it in the filter', () => {
    const { literal, prefixes } = actionsWritten();
    assert.ok(literal.size > 25, `found ${literal.size} actions in src/`);
    assert.deepEqual(
      [...literal].filter((a) => !isKnownAction(a)),
      [],
      'add these to AUDIT_ACTION_GROUPS and to audit.actions in both languages',
    );
    const known: readonly string[] = Object.values(AUDIT_ACTION_GROUPS).flat();
    for (const prefix of prefixes)
      assert.ok(
        known.some((a) => a.startsWith(prefix)),
        `actions written as ${prefix}… are listed`,
      );
  });

  it('knows every kind of subject the code writes, for the filter’s list', () => {
    const { subjectTypes } = actionsWritten();
    assert.ok(subjectTypes.size > 5, `found ${subjectTypes.size} kinds of subject in src/`);
    assert.deepEqual(
      [...subjectTypes].filter((t) => !(AUDIT_SUBJECT_TYPES as readonly string[]).includes(t)),
      [],
      'add these to AUDIT_SUBJECT_TYPES and to audit.subjectTypes in both languages',
    );
  });

  it('names every action, group and kind of subject in both languages', () => {
    for (const lang of LANGUAGES) {
      for (const [group, actions] of Object.entries(AUDIT_ACTION_GROUPS)) {
        assert.ok(hasMessage(lang, `audit.actionGroups.${group}`), `${lang}: group ${group}`);
        for (const action of actions) {
          assert.ok(action.startsWith(`${group}.`), `${action} is in its own group`);
          assert.ok(hasMessage(lang, actionLabelKey(action)), `${lang}: ${action}`);
        }
      }
      for (const type of AUDIT_SUBJECT_TYPES)
        assert.ok(hasMessage(lang, `audit.subjectTypes.${type}`), `${lang}: ${type}`);
    }
  });
});
