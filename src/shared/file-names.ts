/**
 * The name evidence is stored, downloaded and exported (in the dossier ZIP) under: the uploaded
 * name's letters, accents and apostrophes kept ('’s-Hertogenbosch café'), without any path,
 * control or bidirectional characters, nor the characters a Windows file name cannot hold (a
 * quote stays: browsers send it as %22, and the download header escapes one in an old row), and
 * always ending in .pdf, so a name never picks the type.
 */
export function evidenceFilename(original: string): string {
  const base = original.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}<>:|?*]/gu, '')
    .replace(/\.[^.]*$/, '')
    .replace(/\.pdf$/i, '')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 150);
  return `${cleaned || 'bewijsstuk'}.pdf`;
}
