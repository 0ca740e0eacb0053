// The part of fontkit (PDFKit's font engine, which ships no types) that the attestation PDF uses.
declare module 'fontkit' {
  /** A parsed font, as fontkit.create answers it; PDFKit embeds it. */
  export type Font = object;

  /** A font format: `probe` recognises its bytes; a collection answers its fonts by name. */
  export interface FontFormat {
    probe(buffer: Uint8Array): boolean;
    new (stream: unknown): { getFont(postscriptName: string): Font | null };
  }

  export function create(buffer: Uint8Array, postscriptName?: string): Font;
  export function registerFormat(format: FontFormat): void;
}
