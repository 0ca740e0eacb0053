const PDF_MAGIC = Buffer.from('%PDF-');

/** True when the bytes are a PDF by their content: the %PDF- header, whatever the name or declared type. */
export function looksLikePdf(bytes: Buffer): boolean {
  return bytes.length > PDF_MAGIC.length && bytes.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC);
}
