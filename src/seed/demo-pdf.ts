/** A4 in points, and the margin the text keeps on either side. */
const PAGE = { width: 595, height: 842, margin: 72 };
const FONT_SIZE = 12;
const LINE_HEIGHT = 16;
/**
 * Characters that fit on a line: Helvetica's glyphs average about 0.5 em in running text and few
 * are wider than 0.6 em, so at 0.6 em a line stays inside the margins.
 */
const LINE_CHARACTERS = Math.floor((PAGE.width - 2 * PAGE.margin) / (FONT_SIZE * 0.6));

/** `text` broken at spaces into lines of at most `width` characters (a longer word is cut). */
export function wrapText(text: string, width = LINE_CHARACTERS): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let rest = word; rest.length > 0;) {
      const candidate = line ? `${line} ${rest}` : rest;
      if (candidate.length <= width) {
        line = candidate;
        rest = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * A small but valid one-page A4 PDF with some text, wrapped to stay on the page, for demo
 * evidence and tests. (Real attestations are rendered with PDFKit; this only has to be a
 * well-formed PDF file whose text can be read.)
 */
export function simplePdf(text: string): Buffer {
  const lines = wrapText(text.replace(/[^\x20-\x7e]/g, '?')).map((l) => l.replace(/([()\\])/g, '\\$1'));
  const shown = lines.map((l, i) => `${i === 0 ? '' : 'T* '}(${l}) Tj`).join(' ');
  const top = PAGE.height - PAGE.margin;
  const content = `BT /F1 ${FONT_SIZE} Tf ${LINE_HEIGHT} TL ${PAGE.margin} ${top} Td ${shown} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
