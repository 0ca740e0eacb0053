import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { TIME_ZONE } from '../shared/time';

const FONTS = path.join(__dirname, '..', '..', '..', 'resources', 'fonts');

/** What PDFKit is given as the bytes of the shipped fonts: fontkit answers the parsed fonts for it. */
const PARSED_FONTS = Buffer.from('register:parsed-fonts');
let parsedFonts: Map<string, fontkit.Font> | undefined;

/**
 * PDFKit parses a font file anew for every document, and with DejaVu's large tables that was half
 * the time of an attestation. A parsed font does not change, so the two shipped fonts are parsed
 * once per process and offered to fontkit as a collection of fonts (its public `registerFormat`):
 * PDFKit opens a registered font with `fontkit.create(bytes, name)`, and for the marker bytes
 * `PARSED_FONTS` fontkit answers the parsed font of that name. Every document still makes its own
 * embedding of it (subset, widths, layout cache). PDFKit and this module must load one fontkit:
 * package.json pins the version PDFKit depends on, and the PDF tests check the embedded fonts.
 */
function registerParsedFonts(doc: PDFKit.PDFDocument): void {
  if (!parsedFonts) {
    const byName = new Map([
      ['regular', fontkit.create(readFileSync(path.join(FONTS, 'DejaVuSans.ttf')))],
      ['bold', fontkit.create(readFileSync(path.join(FONTS, 'DejaVuSans-Bold.ttf')))],
    ]);
    fontkit.registerFormat(
      class ParsedFonts {
        static probe = (buffer: Uint8Array) => PARSED_FONTS.equals(buffer);
        getFont = (name: string) => byName.get(name) ?? null;
      },
    );
    parsedFonts = byName;
  }
  for (const name of parsedFonts.keys()) doc.registerFont(name, PARSED_FONTS, name);
}

/** What an attestation states. Canonical JSON of this is fingerprinted and printed on the PDF. */
export interface AttestationData {
  nummer: string;
  register: string;
  hostingprovider: { naam: string; kvkNummer: string; adres: string };
  gedragscode: { versie: string; ondertekendOp: string };
  aanDeelnameSinds: string;
  statusBijAfgifte: 'verantwoord';
  afgegevenOp: string;
  geldigVanaf: string;
  geldigTot: string;
  verificatieUrl: string;
  /** Who issues it and where to ask about it: the settings' organisation name and contact address. */
  uitgever: { organisatie: string; contact: string };
}

/** SHA-256 over the RFC 8785 canonical JSON of the data: the same data always gives the same fingerprint. */
export function fingerprintOf(data: AttestationData): string {
  return createHash('sha256')
    .update(canonicalize(data) ?? '')
    .digest('hex');
}

/** The fingerprint in groups of four, as people read it aloud. */
export const groupedFingerprint = (fingerprint: string) =>
  fingerprint.match(/.{1,4}/g)?.join(' ') ?? fingerprint;

const formats = {
  nl: new Intl.DateTimeFormat('nl-NL', { timeZone: TIME_ZONE, dateStyle: 'long' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, dateStyle: 'long' }),
  nlTime: timeFormat('nl-NL', 'short'),
  enTime: timeFormat('en-GB', 'short'),
  offset: timeFormat('en-GB', 'shortOffset'),
};
function timeFormat(locale: string, timeZoneName: 'short' | 'shortOffset') {
  return new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName,
  });
}
const day = (iso: string) => new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);

/**
 * A moment with the zone it is written in, so that a reader abroad knows which 12:00 is meant:
 * "1 juli 2026 om 12:00 CEST (UTC+2)". The offset is the one in force at that moment (summer or winter time).
 */
function withZone(format: Intl.DateTimeFormat, instant: Date): string {
  const offset = formats.offset.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value;
  const utc = !offset || offset === 'GMT' ? 'UTC' : offset.replace('GMT', 'UTC');
  return `${format.format(instant)} (${utc})`;
}

/** The date (or moment, with its time zone) in Dutch and in English. */
export const both = (iso: string, withTime = false) =>
  withTime
    ? `${withZone(formats.nlTime, day(iso))} / ${withZone(formats.enTime, day(iso))}`
    : `${formats.nl.format(day(iso))} / ${formats.en.format(day(iso))}`;

/**
 * A name that must not break across lines: ’s-Hertogenbosch, ’t-Harde, ’s Gravenzande. PDFKit
 * breaks a line after a hyphen and at a space, which would leave "’s-" alone at the end of a line.
 * The hyphen after the elided article becomes a non-breaking hyphen (U+2011) and the space a
 * no-break space (U+00A0); the shipped font has both glyphs.
 */
export function keepNamesTogether(text: string): string {
  return text.replace(
    /(^|[\s(,])([’'‘][st])([- ])(?=\p{L})/gu,
    (_whole, before: string, article: string, joint: string) =>
      `${before}${article}${joint === '-' ? '\u2011' : '\u00a0'}`,
  );
}

/**
 * The attestation as a PDF (A4, PDF/A-2a, tagged, Dutch with English): pure, data in, bytes out.
 * The font is shipped with the project (DejaVu Sans) and embedded; the QR code is drawn as vectors.
 * `beforeEnd` gets the document when everything is drawn, before it is written out: the signing
 * module adds its signature field there.
 */
export async function renderAttestationPdf(
  data: AttestationData,
  fingerprint: string,
  beforeEnd: (doc: PDFKit.PDFDocument) => void = () => undefined,
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    // A narrower foot than the sides: the attestation must stay on one page with long names and addresses.
    margins: { top: 48, bottom: 32, left: 56, right: 56 },
    pdfVersion: '1.7',
    subset: 'PDF/A-2a',
    tagged: true,
    lang: 'nl-NL',
    displayTitle: true,
    info: {
      Title: `Verklaring verantwoorde hostingprovider ${data.nummer}`,
      Author: data.register,
      Subject: `${data.hostingprovider.naam} (KvK ${data.hostingprovider.kvkNummer})`,
      Creator: data.register,
      Keywords: 'verklaring, attestation, verantwoorde hostingprovider',
      // The moment of issue, not the machine's clock (PDFKit's default): the same data gives the same PDF.
      CreationDate: new Date(data.afgegevenOp),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  registerParsedFonts(doc);
  const root = doc.struct('Document');
  doc.addStructure(root);

  const block = (type: 'H1' | 'H2' | 'P', font: string, size: number, text: string, gap = 0.4) => {
    root.add(
      doc.struct(type, {}, () => {
        doc.font(font).fontSize(size).fillColor('#000000').text(text, { paragraphGap: 2 });
      }),
    );
    doc.moveDown(gap);
  };
  const field = (labelNl: string, labelEn: string, value: string) => {
    block('P', 'bold', 9, `${labelNl} / ${labelEn}`, 0);
    block('P', 'regular', 11, keepNamesTogether(value), 0.4);
  };

  block('P', 'regular', 10, data.register, 0.1);
  block(
    'P',
    'regular',
    9,
    `Uitgegeven door / Issued by: ${keepNamesTogether(data.uitgever.organisatie)}`,
    0.6,
  );
  block('H1', 'bold', 20, 'Verklaring verantwoorde hostingprovider', 0.1);
  block('P', 'regular', 12, 'Attestation of a responsible hosting provider', 0.6);
  block('P', 'bold', 12, `Nummer / Number: ${data.nummer}`, 0.8);

  block(
    'P',
    'regular',
    10,
    `Het register verklaart dat de hieronder genoemde hostingprovider op het moment van afgifte verantwoord was: zij heeft de geldende gedragscode ondertekend en neemt deel aan het Anti Abuse Netwerk (AAN). Deze verklaring is alleen geldig zolang het register dat bevestigt op ${data.verificatieUrl}.`,
    0.3,
  );
  block(
    'P',
    'regular',
    9,
    `The register declares that the hosting provider named below was a responsible hosting provider at the moment of issue: it has signed the applicable code of conduct and takes part in the Anti Abuse Network (AAN). This attestation is valid only while the register confirms it at ${data.verificatieUrl}.`,
    0.8,
  );

  block('H2', 'bold', 13, 'Hostingprovider / Hosting provider', 0.3);
  field('Naam', 'Name', data.hostingprovider.naam);
  field('KvK-nummer', 'Chamber of Commerce number', data.hostingprovider.kvkNummer);
  field('Adres', 'Address', data.hostingprovider.adres);

  block('H2', 'bold', 13, 'Vastgestelde voorwaarden / Conditions found', 0.3);
  field(
    'Gedragscode',
    'Code of conduct',
    `versie / version ${data.gedragscode.versie}, ondertekend op / signed on ${both(data.gedragscode.ondertekendOp)}`,
  );
  field('Deelname AAN sinds', 'AAN participation since', both(data.aanDeelnameSinds));
  field('Status bij afgifte', 'Status at issue', 'verantwoord / responsible');

  block('H2', 'bold', 13, 'Geldigheid / Validity', 0.3);
  field('Afgegeven op', 'Issued on', both(data.afgegevenOp, true));
  field('Geldig van', 'Valid from', both(data.geldigVanaf, true));
  field('Geldig tot', 'Valid until', both(data.geldigTot, true));

  // The QR code, as vector squares, with the URL printed beside it for those who cannot scan.
  const qr = QRCode.create(data.verificatieUrl, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const cell = 3;
  const x0 = doc.page.margins.left;
  const y0 = doc.y + 6;
  root.add(
    doc.struct('Figure', { alt: `QR-code naar / to ${data.verificatieUrl}` }, () => {
      for (let row = 0; row < size; row++)
        for (let col = 0; col < size; col++)
          if (qr.modules.get(row, col)) doc.rect(x0 + col * cell, y0 + row * cell, cell, cell);
      doc.fillColor('#000000').fill();
    }),
  );
  const textX = x0 + size * cell + 16;
  doc.x = textX;
  doc.y = y0;
  const width = doc.page.width - doc.page.margins.right - textX;
  root.add(
    doc.struct('P', {}, () => {
      doc
        .font('bold')
        .fontSize(9)
        .text('Controleer deze verklaring / Verify this attestation', textX, y0, { width });
      doc.font('regular').fontSize(9).text(data.verificatieUrl, { width, link: data.verificatieUrl });
    }),
  );
  doc.moveDown(0.5);
  root.add(
    doc.struct('P', {}, () => {
      doc
        .font('bold')
        .fontSize(8)
        .text('Vingerafdruk van de gegevens (SHA-256) / Fingerprint of the data', { width })
        .font('regular')
        .text(groupedFingerprint(fingerprint), { width });
    }),
  );
  doc.x = x0;
  doc.y = Math.max(doc.y, y0 + size * cell) + 12;
  block(
    'P',
    'regular',
    8,
    `Dit document is digitaal ondertekend door het register; een wijziging maakt de handtekening ongeldig. Vragen: ${data.uitgever.contact}. / This document is digitally signed by the register; any change invalidates the signature. Questions: ${data.uitgever.contact}.`,
    0,
  );
  root.end();
  beforeEnd(doc);
  doc.end();
  return done;
}
