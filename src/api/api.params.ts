import { MAX_BULK_ROWS } from '../check/bulk-check.service';
import { STATUS_FILTERS } from '../register/search.service';
import { ValidationError } from '../shared/errors';
import { hasForbiddenCharacters } from '../shared/forbidden-characters';
import { readKvkNumber } from '../shared/identifiers';
import { isPeildatum, toLocalDate } from '../shared/time';
import type { FieldErrors } from '../shared/validation';
import { EXAMPLE_KVK } from './api.examples';
import { registry, z } from './api.registry';
import { decodeCursor } from './api.cursor';
import { ATTESTATION_NUMBER_PATTERN, KVK_PATTERN } from './api.schemas';

/**
 * What /api/v1 takes in, as zod schemas: the path and query parameters and the body of POST
 * /controles. The same schemas read the requests (every message is the translation key of why a
 * value was refused) and describe them in the OpenAPI document.
 */

export const API_PAGE_SIZE = 25;
export const API_MAX_PAGE_SIZE = 100;
/** The longest KvK number entry a check accepts; longer is not a typo but wrong input. */
export const MAX_CHECK_ENTRY_LENGTH = 40;

/** A peildatum: a real date, YYYY-MM-DD, from 1990 on. Not after today is checked per request. */
const Peildatum = z.iso
  .date({
    error: (issue) => (issue.code === 'invalid_type' ? 'api.invalid.dateType' : 'api.invalid.date'),
    abort: true,
  })
  .refine(isPeildatum, { error: 'api.invalid.date', abort: true });

/**
 * `make(today)` for the Dutch calendar day of `now`, made once per day: a peildatum is not after
 * `now` exactly when it is not after today, and building a zod schema per request (zod compiles
 * each new object schema) cost more than the rest of reading the query.
 */
function perLocalDay<T>(make: (today: string) => T): (now: Date) => T {
  let made: { today: string; value: T } | undefined;
  return (now) => {
    const today = toLocalDate(now);
    if (made?.today !== today) made = { today, value: make(today) };
    return made.value;
  };
}

/** A peildatum that is not after `today` (a Dutch calendar date). */
const peildatumUpTo = (today: string) =>
  Peildatum.refine((date) => date <= today, { error: 'api.invalid.futureDate' });

/** A whole number from a query string: digits only (no sign, exponent or spaces), `min` to `max`. */
const wholeNumber = (min: number, max: number, error: string) =>
  z.preprocess(
    (raw) => (typeof raw === 'string' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : raw),
    z.int({ error }).min(min, { error }).max(max, { error }),
  );

/** Free text: at most `max` characters, no control characters and no bidirectional overrides. */
const text = (max: number) =>
  z
    .string()
    .max(max, { error: 'api.invalid.text' })
    .refine((value) => !hasForbiddenCharacters(value), { error: 'api.invalid.text' });

const pathParameter = <T extends z.ZodType>(name: string, description: string, schema: T) =>
  registry.registerParameter(name, schema.openapi({ param: { name, in: 'path', description } }));
const queryParameter = <T extends z.ZodType>(name: string, description: string, schema: T) =>
  registry.registerParameter(name, schema.optional().openapi({ param: { name, in: 'query', description } }));

const kvkNummer = pathParameter(
  'kvkNummer',
  'Het KvK-nummer van de hostingprovider: precies 8 cijfers.',
  z.string().regex(KVK_PATTERN, { error: 'api.invalid.kvkNumber' }).openapi({ example: EXAMPLE_KVK }),
);
const nummer = pathParameter(
  'nummer',
  'Het nummer van de verklaring, zoals VHP-2026-000042.',
  z
    .string()
    .regex(ATTESTATION_NUMBER_PATTERN, { error: 'api.invalid.attestationNumber' })
    .openapi({ example: 'VHP-2026-000042' }),
);
const peildatum = queryParameter(
  'peildatum',
  'De status aan het einde van deze Nederlandse kalenderdag (JJJJ-MM-DD), vanaf 1990-01-01 tot en met vandaag. Zonder peildatum: de status nu.',
  Peildatum.openapi({ example: '2026-06-30' }),
);

/** The page of a paged list: a whole number from 1; anything else (0, -1, 1.5, abc, huge) is a 400. */
export const pagina = queryParameter(
  'pagina',
  'Het paginanummer, vanaf 1.',
  wholeNumber(1, 100_000, 'api.invalid.page').openapi({ default: 1 }),
);

/** The API's names for the sort orders of the register search (see API_SORTS in the routes). */
export const API_SORT_NAMES = ['relevantie', 'naam', 'kvkNummer', 'status'] as const;

export const ProviderPath = z.object({ kvkNummer });
export const AttestationPath = z.object({ nummer });
export const NoQuery = z.strictObject({}, { error: 'api.invalid.unknownParameter' });

export const SearchQuery = z.strictObject(
  {
    zoekterm: queryParameter(
      'zoekterm',
      'Wat u zoekt, zoals u het typt. Een KvK-nummer: 8 cijfers, ook met spaties, punten, streepjes of ‘KvK’ ervoor, of 10 cijfers met twee nullen ervoor (de getalnotatie van een spreadsheet); 2 tot 7 cijfers zoeken op het begin, 7 cijfers ook op het nummer met een 0 ervoor (dat komt dan eerst). Een KvK-nummer tussen woorden (`Polderwolk Hosting B.V. (99990001)`, `#99990001`, `NL 99990001`) zoekt op dat nummer alleen: de woorden tellen niet mee. Twee of meer KvK-nummers (gescheiden door spaties, komma’s of regels) vinden elk nummer precies, met `relevantie` in de getypte volgorde; in zo’n lijst zijn 7 cijfers een nummer met een weggevallen 0. Voor lange lijsten is er de bulkcontrole `POST /controles`. Een btw-id, ook met spaties, punten, streepjes of kleine letters (`nl-123456782-b01`). Een webadres, hostnaam of e-mailadres: het vindt de hostingprovider waarvan de website die host heeft, met of zonder `www.`; schema, poort, pad en query tellen niet (`http://www.polderwolk.example/contact` vindt `polderwolk.example`, `mail.polderwolk.example` ook), een deel van een hostnaam (`example`) vindt niets. Anders woorden uit de naam of handelsnaam, en de vestigingsplaats: elk woord mag een tikfout bevatten (twee bij woorden van 8 tekens of meer), en met `relevantie` komen exacte woorden vóór het begin van een woord, een deel ervan en tikfouten. Een woord dat een plaats is (precies, het begin of met een tikfout) hoeft niet in de naam te staan: het zet hostingproviders in die plaats hoger, maar een hostingprovider met dat woord in de naam komt vóór hostingproviders die alleen in die plaats zitten; `Zwolle` alleen geeft de hostingproviders in Zwolle. Rechtsvormen (B.V., N.V., V.O.F., C.V., U.A., stichting, vereniging, coöperatie, GmbH, Ltd …) en woorden als ‘de’, ‘het’, ‘van’ en ‘the’ tellen niet mee; een zoekterm van alleen zulke woorden geeft het hele register. Vindt de zoekterm niets, dan is het antwoord een lege pagina. Hoogstens 200 tekens.',
      text(200).openapi({ example: 'polderwolk' }),
    ),
    status: queryParameter(
      'status',
      'Alleen hostingproviders met deze status nu. Vlak nadat een versie van de gedragscode is vervallen, worden de statussen van veel hostingproviders tegelijk bijgewerkt (meestal binnen een minuut): zolang dat loopt, kunnen `totaal`, dit filter en de volgorde `status` even achterlopen. Elke hostingprovider in het antwoord heeft dan wel zijn status van nu, ook als die niet meer bij dit filter past.',
      z.enum(STATUS_FILTERS, { error: 'api.invalid.status' }),
    ),
    sorteer: queryParameter(
      'sorteer',
      'Volgorde: `relevantie` (standaard met zoekterm), `naam` (standaard zonder), `kvkNummer` of `status` (verantwoord eerst).',
      z.enum(API_SORT_NAMES, { error: 'api.invalid.sort' }),
    ),
    pagina,
    paginaGrootte: queryParameter(
      'paginaGrootte',
      'Het aantal hostingproviders per pagina.',
      wholeNumber(1, API_MAX_PAGE_SIZE, 'api.invalid.pageSize').openapi({ default: API_PAGE_SIZE }),
    ),
  },
  { error: 'api.invalid.unknownParameter' },
);

export const ProviderQuery = z.strictObject({ peildatum }, { error: 'api.invalid.unknownParameter' });
/** ProviderQuery as read on `now`: a peildatum after today is refused. */
export const providerQueryOn = perLocalDay((today) =>
  ProviderQuery.extend({ peildatum: peildatumUpTo(today).optional() }),
);

/** Changes per page of the change feed: by default, and at most. */
export const FEED_PAGE_SIZE = 100;
export const FEED_MAX_PAGE_SIZE = 1000;
/** The most KvK numbers one request of the change feed filters on. */
export const FEED_MAX_KVK_NUMBERS = 100;

export const ChangesQuery = z.strictObject(
  {
    vanaf: queryParameter(
      'vanaf',
      'Waar het lezen verder gaat: de waarde uit de `next`-link van de vorige pagina (een cursor; lees er niets in, hij verandert niet). Zonder `vanaf`: vanaf de eerste wijziging.',
      z
        .string()
        .refine((cursor) => decodeCursor(cursor) !== undefined, { error: 'api.invalid.cursor' })
        .openapi({ example: 'c3cxOjQy' }),
    ),
    kvkNummer: registry.registerParameter(
      'kvkNummerFilter',
      z
        .array(
          z.string().transform((value, ctx) => {
            const reading = readKvkNumber(value);
            // Read as /controles reads it: seven digits lost their leading zero.
            if (reading.kind !== 'invalid') return reading.kvkNumber;
            ctx.issues.push({ code: 'custom', message: 'api.invalid.kvkNumber', input: value });
            return z.NEVER;
          }),
        )
        .min(1, { error: 'api.invalid.kvkNumber' })
        .max(FEED_MAX_KVK_NUMBERS, { error: 'api.invalid.kvkNumbersTooMany' })
        .optional()
        .openapi({
          param: {
            name: 'kvkNummer',
            in: 'query',
            style: 'form',
            explode: true,
            description: `Alleen de wijzigingen van deze hostingproviders. Herhaal de parameter voor meer nummers (\`?kvkNummer=01234567&kvkNummer=76543210\`); een kommalijst mag ook. Hoogstens ${FEED_MAX_KVK_NUMBERS} nummers.`,
          },
          example: [EXAMPLE_KVK],
        }),
    ),
    // Registered under a name of its own: the search's paginaGrootte has other limits.
    paginaGrootte: registry.registerParameter(
      'paginaGrootteWijzigingen',
      wholeNumber(1, FEED_MAX_PAGE_SIZE, 'api.invalid.feedPageSize')
        .optional()
        .openapi({
          param: {
            name: 'paginaGrootte',
            in: 'query',
            description: 'Het grootste aantal wijzigingen per pagina.',
          },
          default: FEED_PAGE_SIZE,
        }),
    ),
  },
  { error: 'api.invalid.unknownParameter' },
);

export const ControleVerzoek = z
  .strictObject(
    {
      peildatum: Peildatum.optional().openapi({
        description:
          'De Nederlandse kalenderdag waarop gecontroleerd wordt; standaard vandaag. Niet in de toekomst.',
      }),
      kvkNummers: z
        .array(
          z
            .string({ error: 'api.invalid.string' })
            .max(MAX_CHECK_ENTRY_LENGTH, { error: 'api.invalid.string' })
            .trim(),
          {
            error: (issue) => (issue.input === undefined ? 'api.invalid.required' : 'api.invalid.array'),
          },
        )
        .min(1, { error: 'api.invalid.arrayEmpty' })
        .max(MAX_BULK_ROWS, { error: 'api.invalid.arrayTooLong' })
        .openapi({
          description:
            'De te controleren KvK-nummers, als tekst. Spaties, punten en streepjes tussen de cijfers en ‘KvK’ ervoor worden genegeerd (`9999 0001`, `99.99.00.01` en `KvK 99990001` zijn hetzelfde nummer). Een nummer van 7 cijfers is waarschijnlijk zijn voorloopnul kwijt: het wordt met die nul gecontroleerd als dat nummer in het register staat (zie `opmerking`). Wat zo geen 8 cijfers oplevert, krijgt de uitkomst `ongeldig`.',
        }),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? 'api.invalid.unknownField' : 'api.invalid.object',
    },
  )
  .openapi('ControleVerzoek');
/** ControleVerzoek as read on `now`: a peildatum after today is refused. */
export const checkRequestOn = perLocalDay((today) =>
  ControleVerzoek.extend({ peildatum: peildatumUpTo(today).optional() }),
);

/**
 * The field errors of a refused value, one per field in the order of the schema (unknown fields
 * first): an issue with the field itself, else its first wrong item as `name[index]`; an issue with
 * the whole value is named `body`.
 */
function fieldErrors(issues: readonly z.core.$ZodIssue[], names: string[], fields: FieldErrors): FieldErrors {
  // A Map, not an object: an unknown field may be named `__proto__`, which an assignment would
  // swallow (it sets the prototype); Object.fromEntries defines it as a field like any other.
  const errors = new Map<string, string[]>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) errors.set(key, [issue.message]);
    else if (issue.path.length === 0) errors.set('body', [issue.message]);
  }
  for (const name of names) {
    const own =
      fields[name] ?? issues.filter((i) => i.path.length === 1 && i.path[0] === name).map((i) => i.message);
    const item = issues.find((i) => i.path.length > 1 && i.path[0] === name);
    if (own.length > 0) errors.set(name, own.slice(0, 1));
    else if (item) errors.set(`${name}[${String(item.path[1])}]`, [item.message]);
  }
  return Object.fromEntries(errors);
}

/**
 * The fields of a JSON body that are not among `known`, each refused as unknown (the request
 * schemas are strict: additionalProperties false), to which a reader adds its own refusals. A Map,
 * not an object: a field named `__proto__` would set the prototype of an object and pass unnamed;
 * `Object.fromEntries` makes it a field like any other for the ValidationError.
 */
export function unknownFields(input: object, known: readonly string[]): Map<string, string[]> {
  return new Map(
    Object.keys(input)
      .filter((name) => !known.includes(name))
      .map((name) => [name, ['api.invalid.unknownField']]),
  );
}

/** `value` read by `schema`, or a ValidationError naming every refused field. */
export function readValue<S extends z.ZodObject>(
  schema: S,
  value: unknown,
  refused: FieldErrors = {},
): z.output<S> {
  const result = schema.safeParse(value);
  const names = Object.keys(schema.shape);
  if (result.success && Object.keys(refused).length === 0) return result.data;
  throw new ValidationError(fieldErrors(result.success ? [] : result.error.issues, names, refused));
}

/**
 * Reads the query parameters of an operation. Every refusal is collected, so one 400 names all of
 * them: an unknown parameter (a typo should not pass silently), a repeated one (except the `lists`),
 * a malformed value.
 */
export function readQuery<S extends z.ZodObject>(
  schema: S,
  query: unknown,
  lists: string[] = [],
): z.output<S> {
  const source: Record<string, unknown> = { ...(query as Record<string, unknown> | undefined) };
  const repeated: FieldErrors = {};
  for (const name of Object.keys(schema.shape)) {
    const value = source[name];
    // A list parameter may be repeated and may hold a comma list; each item is read on its own.
    if (lists.includes(name) && value !== undefined) {
      const items = Array.isArray(value) ? value : [value];
      if (items.every((item) => typeof item === 'string'))
        source[name] = items.flatMap((item) => item.split(',')).filter((item) => item.trim() !== '');
      continue;
    }
    if (value === undefined || typeof value === 'string') continue;
    repeated[name] = ['api.invalid.repeated'];
    delete source[name];
  }
  return readValue(schema, source, repeated);
}
