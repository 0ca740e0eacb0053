import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { simplePdf, wrapText } from '../../src/seed/demo-pdf';
import { onPath, requireTool } from '../helpers/tools';

/** The demo's longest evidence text: the signed code, with the signatory and the signing date last. */
const SIGNED_CODE =
  'Gedragscode Abusebestrijding 3.0, ondertekend door G. Grachtengordel (Directeur) op 2026-03-30 - Grachtengordel Cloud B.V. (demo)';

describe('simplePdf (demo evidence)', () => {
  it('wraps the text at spaces into lines that fit between the margins, losing no word', () => {
    const lines = wrapText(SIGNED_CODE);
    assert.ok(lines.length > 1, 'the long text takes more than one line');
    assert.ok(lines.every((l) => l.length <= 62));
    assert.equal(lines.join(' '), SIGNED_CODE);
    assert.deepEqual(wrapText('x'.repeat(130), 62), ['x'.repeat(62), 'x'.repeat(62), 'x'.repeat(6)]);
  });

  it('puts the whole text, signing date included, on the A4 page (pdftotext reads only what is on it)', function () {
    requireTool(
      this,
      onPath('pdftotext'),
      'pdftotext (poppler-utils) is not installed: apt-get install poppler-utils',
    );
    const text = execFileSync('pdftotext', ['-', '-'], { input: simplePdf(SIGNED_CODE) }).toString('utf8');
    assert.match(text, /\(Directeur\) op 2026-03-30/);
    assert.equal(text.replace(/\s+/g, ' ').trim(), SIGNED_CODE);
  });
});
