import assert from 'node:assert/strict';
import { HtmlValidate } from 'html-validate';

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Prettier-style void elements and long lines are matters of taste, not of validity.
    'void-style': 'off',
    'no-trailing-whitespace': 'off',
    // A search-engine heuristic, not validity: long legal names make long titles.
    'long-title': 'off',
  },
});

/** Fails with every finding when `html` is not valid HTML by html-validate's recommended rules. */
export async function assertValidHtml(html: string, page: string): Promise<void> {
  const report = await validator.validateString(html);
  const messages = report.results.flatMap((r) =>
    r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`),
  );
  if (messages.length > 0 && process.env.DUMP_INVALID_HTML) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(process.env.DUMP_INVALID_HTML, html);
  }
  assert.deepEqual(messages, [], `${page} is not valid HTML`);
}
