import { MAX_BULK_ROWS } from '../check/bulk-check.service';
import { STATUS_FILTERS } from '../register/search.service';
import { STATUS_EVENT_KINDS } from '../status/status-rules';

/** The full version of the API, sent in the API-Version header of every answer. */
export const API_VERSION = '1.0.0';

/**
 * The OpenAPI 3.0 document of /api/v1: the contract other systems rely on. The tests validate
 * every API answer they receive against these schemas, and CI lints the document with the NL API
 * Design Rules rulesets; the documentation page is rendered from it.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const dateTime = (description: string, nullable = false) => ({
  type: 'string',
  format: 'date-time',
  description,
  ...(nullable ? { nullable: true } : {}),
});
const link = (description: string) => ({
  type: 'object',
  description,
  required: ['href'],
  properties: { href: { type: 'string', format: 'uri', description: 'Een absolute URL.' } },
});

const EXAMPLE_API = 'https://register.example/api/v1';
const EXAMPLE_KVK = '99990001';

const exampleProvider = {
  kvkNummer: EXAMPLE_KVK,
  naam: 'Polderwolk Hosting B.V.',
  handelsnamen: ['Polderwolk'],
  btwNummer: 'NL001234567B01',
  adres: { straatEnHuisnummer: 'Dijkweg 12', postcode: '1234 AB', plaats: 'Lelystad' },
  website: 'https://polderwolk.example',
  abuseEmailadres: 'abuse@polderwolk.example',
  asNummers: [64512],
  status: {
    peilmoment: '2026-11-26T14:00:00.000Z',
    verantwoord: true,
    code: 'verantwoord',
    omschrijving: 'Verantwoord',
    uitleg:
      'Deze hostingprovider heeft de geldende gedragscode ondertekend, neemt deel aan het Anti Abuse Netwerk en heeft een geldige vermelding.',
    toelichting: null,
    sinds: '2026-03-02T09:15:00.000Z',
    tot: null,
  },
  vermelding: {
    goedgekeurdOp: '2026-03-02T09:15:00.000Z',
    geldigTot: '2027-03-02T09:15:00.000Z',
    gedragscodeVersie: '3.0',
    aanDeelnameSinds: '2025-12-31T23:00:00.000Z',
  },
  verklaringen: [
    {
      nummer: 'VHP-2026-000042',
      status: 'valid',
      afgegevenOp: '2026-10-01T08:30:00.000Z',
      geldigTot: '2027-03-02T09:15:00.000Z',
      links: {
        self: { href: `${EXAMPLE_API}/verklaringen/VHP-2026-000042` },
        pdf: { href: 'https://register.example/verificatie/VHP-2026-000042/pdf' },
      },
    },
  ],
  links: {
    self: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}` },
    statuswijzigingen: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}/statuswijzigingen` },
    webpagina: { href: `https://register.example/hostingproviders/${EXAMPLE_KVK}` },
  },
};

const exampleList = {
  hostingproviders: [
    {
      kvkNummer: EXAMPLE_KVK,
      naam: 'Polderwolk Hosting B.V.',
      handelsnamen: ['Polderwolk'],
      vestigingsplaats: 'Lelystad',
      website: 'https://polderwolk.example',
      status: {
        code: 'verantwoord',
        verantwoord: true,
        omschrijving: 'Verantwoord',
        sinds: '2026-03-02T09:15:00.000Z',
        geldigTot: '2027-03-02T09:15:00.000Z',
      },
      links: { self: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}` } },
    },
  ],
  paginering: { pagina: 1, paginaGrootte: 25, aantalPaginas: 1, totaal: 1 },
  links: {
    self: { href: `${EXAMPLE_API}/hostingproviders?zoekterm=polderwolk&pagina=1` },
    first: { href: `${EXAMPLE_API}/hostingproviders?zoekterm=polderwolk&pagina=1` },
    last: { href: `${EXAMPLE_API}/hostingproviders?zoekterm=polderwolk&pagina=1` },
  },
};

const exampleChanges = {
  kvkNummer: EXAMPLE_KVK,
  statuswijzigingen: [
    {
      volgnummer: 42,
      soort: 'listing_approved',
      omschrijving: 'Vermelding goedgekeurd',
      ingangsmoment: '2026-03-02T09:15:00.000Z',
      registratiemoment: '2026-03-02T09:15:00.000Z',
      toelichting: 'Gedragscode 3.0 en AAN-deelname aangetoond.',
      geldigTot: '2027-03-02T09:15:00.000Z',
      geschorstTot: null,
      gedragscodeVersie: '3.0',
      aanDeelnameSinds: '2025-12-31T23:00:00.000Z',
    },
  ],
  links: {
    self: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}/statuswijzigingen` },
    hostingprovider: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}` },
  },
};

const exampleCheck = {
  peildatum: '2026-06-30',
  peilmoment: '2026-06-30T21:59:59.999Z',
  aantallen: { verantwoord: 1, nietVerantwoord: 0, onbekend: 1, ongeldig: 1, dubbel: 0 },
  resultaten: [
    {
      positie: 1,
      kvkNummer: EXAMPLE_KVK,
      uitkomst: 'verantwoord',
      reden: null,
      naam: 'Polderwolk Hosting B.V.',
      dubbelVan: null,
      hostingprovider: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}` },
    },
    {
      positie: 2,
      kvkNummer: '12121212',
      uitkomst: 'onbekend',
      reden: null,
      naam: null,
      dubbelVan: null,
      hostingprovider: null,
    },
    {
      positie: 3,
      kvkNummer: '1234',
      uitkomst: 'ongeldig',
      reden: null,
      naam: null,
      dubbelVan: null,
      hostingprovider: null,
    },
  ],
};

const exampleAttestation = {
  nummer: 'VHP-2026-000042',
  status: 'suspended',
  omschrijving: 'Geschorst',
  uitleg:
    'De vermelding van deze hostingprovider is geschorst; zolang de schorsing duurt, geldt deze verklaring niet. Na opheffing is zij weer geldig, als haar geldigheid nog niet voorbij is.',
  sinds: '2026-11-02T10:00:00.000Z',
  tot: null,
  reden: 'suspended',
  toelichting: 'Onderzoek naar herhaalde malafide reseller-klanten.',
  hostingprovider: { kvkNummer: EXAMPLE_KVK, naam: 'Polderwolk Hosting B.V.' },
  afgegevenOp: '2026-10-01T08:30:00.000Z',
  geldigTot: '2027-03-02T09:15:00.000Z',
  vingerafdruk: '3f6c1d0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d',
  links: {
    self: { href: `${EXAMPLE_API}/verklaringen/VHP-2026-000042` },
    pdf: { href: 'https://register.example/verificatie/VHP-2026-000042/pdf' },
    verificatiepagina: { href: 'https://register.example/verificatie/VHP-2026-000042' },
    hostingprovider: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}` },
  },
};

const exampleProblem = {
  type: 'https://register.example/api-documentatie#probleem-badRequest',
  title: 'Ongeldig verzoek',
  status: 400,
  detail: 'Het verzoek bevat ongeldige gegevens; invalidParams zegt welke en waarom.',
  instance: '/api/v1/hostingproviders/99990001?peildatum=2026-02-30',
  code: 'badRequest',
  invalidParams: [
    {
      name: 'peildatum',
      code: 'date',
      reason: 'geef een bestaande datum als JJJJ-MM-DD, niet vóór 1990-01-01',
    },
  ],
};

const versionHeader = { 'API-Version': { $ref: '#/components/headers/API-Version' } };
const readHeaders = {
  ...versionHeader,
  'Access-Control-Allow-Origin': { $ref: '#/components/headers/Access-Control-Allow-Origin' },
};

/**
 * The examples of the answers, on their schemas rather than under `paths`: the draft ruleset's check
 * for a documented 400 reads every key under `paths` that contains "post" as an operation, an
 * example's `postcode` included.
 */
export const API_EXAMPLES: Record<string, unknown> = {
  HostingproviderLijst: exampleList,
  Hostingprovider: exampleProvider,
  Statuswijzigingen: exampleChanges,
  Controle: exampleCheck,
  Verklaring: exampleAttestation,
};
/**
 * Not the provider's: its `adres.postcode` trips that same check. The documentation page shows it,
 * and the tests validate all four against the schemas.
 */
const EXAMPLES_IN_DOCUMENT = ['HostingproviderLijst', 'Statuswijzigingen', 'Controle', 'Verklaring'];

const jsonContent = (schema: string) => ({ 'application/json': { schema: ref(schema) } });

/** Each answer's schema carries its example. */
function withExamples<T extends Record<string, object>>(schemas: T): T {
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => [
      name,
      EXAMPLES_IN_DOCUMENT.includes(name) ? { ...schema, example: API_EXAMPLES[name] } : schema,
    ]),
  ) as T;
}

function ok(description: string, schema: string, extraHeaders = {}) {
  return { description, headers: { ...readHeaders, ...extraHeaders }, content: jsonContent(schema) };
}

const problemResponse = (name: string) => ({ $ref: `#/components/responses/${name}` });
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      String(code),
      problemResponse(
        {
          400: 'OngeldigVerzoek',
          404: 'NietGevonden',
          413: 'TeGroot',
          415: 'MediatypeNietOndersteund',
          500: 'InterneFout',
          503: 'NietBeschikbaar',
        }[code] as string,
      ),
    ]),
  );

function problem(description: string, example: Record<string, unknown>) {
  return {
    description,
    headers: versionHeader,
    content: { 'application/problem+json': { schema: ref('Probleem'), example } },
  };
}

const problemExample = (status: number, code: string, title: string, detail: string, instance: string) => ({
  type: `https://register.example/api-documentatie#probleem-${code}`,
  title,
  status,
  detail,
  instance,
  code,
});

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

export function openApiDocument(publicBaseUrl: string) {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Register Verantwoorde Hostingproviders API',
      version: API_VERSION,
      description:
        'Openbare API van het Register Verantwoorde Hostingproviders van de Rijksoverheid. Zoek hostingproviders, vraag op of een hostingprovider nu of op een peildatum verantwoord is (met de reden), lees de statusgeschiedenis en controleer een hele leverancierslijst in één verzoek. Lezen mag vanaf elke website (CORS); er is geen sleutel nodig. Tijden zijn UTC (RFC 3339); een peildatum is een Nederlandse kalenderdag en telt tot en met het einde van die dag (Europe/Amsterdam).',
      contact: {
        name: 'Beheer Register Verantwoorde Hostingproviders',
        email: 'register@hostingproviders.example',
        url: `${publicBaseUrl}/api-documentatie`,
      },
      license: { name: 'EUPL-1.2', url: 'https://interoperable-europe.ec.europa.eu/collection/eupl' },
    },
    servers: [{ url: `${publicBaseUrl}/api/v1`, description: 'Register Verantwoorde Hostingproviders' }],
    tags: [
      { name: 'Hostingproviders', description: 'Zoeken en opvragen van hostingproviders en hun status' },
      { name: 'Controles', description: 'Een hele leverancierslijst controleren op een peildatum' },
      { name: 'Verklaringen', description: 'Verklaringen verantwoorde hostingprovider controleren' },
      { name: 'Documentatie', description: 'Dit document' },
    ],
    paths: {
      '/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          tags: ['Documentatie'],
          summary: 'Dit OpenAPI-document',
          description: 'Het OpenAPI 3.0-document van deze API, zoals u het nu leest.',
          responses: {
            '200': {
              description: 'Het OpenAPI-document.',
              headers: {
                ...versionHeader,
                'access-control-allow-origin': { $ref: '#/components/headers/Access-Control-Allow-Origin' },
              },
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            ...errors(500),
          },
        },
      },
      '/hostingproviders': {
        get: {
          operationId: 'zoekHostingproviders',
          tags: ['Hostingproviders'],
          summary: 'Hostingproviders zoeken',
          description:
            'Zoekt in het register op naam of handelsnaam (tolerant voor typefouten), KvK-nummer (heel of het begin), btw-id of websitedomein; filtert op status; sorteert en pagineert. Zonder zoekterm geeft het het hele register, op naam gesorteerd. Een pagina voorbij de laatste is leeg; de links wijzen dan naar de eerste en de laatste pagina. De status komt uit dezelfde statusregels als de detailresource. Het register bevat alleen hostingproviders waarvan een beoordelaar de identiteit heeft bevestigd; een nieuwe registratie is tot die tijd ook bij opvragen en controleren onbekend.',
          parameters: [
            { $ref: '#/components/parameters/zoekterm' },
            { $ref: '#/components/parameters/status' },
            { $ref: '#/components/parameters/sorteer' },
            { $ref: '#/components/parameters/pagina' },
            { $ref: '#/components/parameters/paginaGrootte' },
          ],
          responses: {
            '200': ok('Eén pagina met hostingproviders.', 'HostingproviderLijst', {
              Link: { $ref: '#/components/headers/Link' },
            }),
            ...errors(400, 500, 503),
          },
        },
      },
      '/hostingproviders/{kvkNummer}': {
        get: {
          operationId: 'getHostingprovider',
          tags: ['Hostingproviders'],
          summary: 'Eén hostingprovider met zijn status',
          description:
            'De gegevens van een hostingprovider en zijn status: nu, of met `peildatum` aan het einde van die Nederlandse kalenderdag (of nu, als de peildatum vandaag is). De status komt uit de statusregels over de vastgelegde geschiedenis; `code` is `verantwoord` of de reden waarom niet. `vermelding` is de goedgekeurde vermelding waar de status op rust (ook als die verlopen, geschorst of ingetrokken is), of null.',
          parameters: [
            { $ref: '#/components/parameters/kvkNummer' },
            { $ref: '#/components/parameters/peildatum' },
          ],
          responses: {
            '200': ok('De hostingprovider en zijn status.', 'Hostingprovider'),
            ...errors(400, 404, 500, 503),
          },
        },
      },
      '/hostingproviders/{kvkNummer}/statuswijzigingen': {
        get: {
          operationId: 'getStatuswijzigingen',
          tags: ['Hostingproviders'],
          summary: 'De statusgeschiedenis van een hostingprovider',
          description:
            'Alle vastgelegde statuswijzigingen van een hostingprovider, nieuwste eerst. Wijzigingen worden nooit aangepast of verwijderd; een correctie is een nieuwe wijziging. `ingangsmoment` is wanneer de wijziging ingaat, `registratiemoment` wanneer het register haar vastlegde.',
          parameters: [{ $ref: '#/components/parameters/kvkNummer' }],
          responses: {
            '200': ok('De statuswijzigingen.', 'Statuswijzigingen'),
            ...errors(400, 404, 500, 503),
          },
        },
      },
      '/verklaringen/{nummer}': {
        get: {
          operationId: 'getVerklaring',
          tags: ['Verklaringen'],
          summary: 'Een verklaring controleren',
          description:
            'Het verificatie-antwoord voor een verklaring verantwoorde hostingprovider: `valid` (geldig), `suspended` (de hostingprovider is geschorst; weer geldig na opheffing, binnen de geldigheid), `revoked` (de hostingprovider verloor zijn status na afgifte; blijvend) of `expired` (de geldigheid is voorbij). Het antwoord wordt bij elk verzoek met de statusregels berekend: een schorsing of intrekking telt direct. Een onbekend nummer is een 404: zo’n verklaring is niet door het register afgegeven.',
          parameters: [{ $ref: '#/components/parameters/nummer' }],
          responses: {
            '200': ok('Het verificatie-antwoord.', 'Verklaring'),
            ...errors(400, 404, 500, 503),
          },
        },
      },
      '/controles': {
        post: {
          operationId: 'controleerLijst',
          tags: ['Controles'],
          summary: 'Een lijst KvK-nummers controleren',
          description: `Controleert tot ${MAX_BULK_ROWS.toLocaleString('nl-NL')} KvK-nummers op één peildatum (standaard vandaag). Elk nummer krijgt een eigen uitkomst in de volgorde van de lijst: \`verantwoord\`, \`niet_verantwoord\` (met de reden), \`onbekend\` (niet in het register), \`ongeldig\` (geen 8 cijfers) of \`dubbel\` (al eerder in de lijst; \`dubbelVan\` noemt de positie). Een ongeldig of onbekend nummer laat de rest van de lijst niet mislukken. Er wordt niets opgeslagen. Alleen vanaf deze site of van een server aanroepbaar (geen CORS).`,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('ControleVerzoek'),
                example: { peildatum: '2026-06-30', kvkNummers: [EXAMPLE_KVK, '12121212', '1234'] },
              },
            },
          },
          responses: {
            '200': {
              description: 'De uitkomst per nummer en de aantallen per uitkomst.',
              headers: versionHeader,
              content: jsonContent('Controle'),
            },
            ...errors(400, 413, 415, 500, 503),
          },
        },
      },
    },
    components: {
      headers: {
        'API-Version': {
          description: 'De volledige versie van deze API (semantic versioning).',
          schema: { type: 'string', example: API_VERSION },
        },
        'Access-Control-Allow-Origin': {
          description: 'Lezen mag vanaf elke website: altijd `*`.',
          schema: { type: 'string', example: '*' },
        },
        Link: {
          description:
            'Dezelfde paginalinks als in `links`, als RFC 8288-header (first, prev, next, last, self).',
          schema: { type: 'string' },
        },
      },
      parameters: {
        kvkNummer: {
          name: 'kvkNummer',
          in: 'path',
          required: true,
          description: 'Het KvK-nummer van de hostingprovider: precies 8 cijfers.',
          schema: { type: 'string', pattern: '^[0-9]{8}$', example: EXAMPLE_KVK },
        },
        nummer: {
          name: 'nummer',
          in: 'path',
          required: true,
          description: 'Het nummer van de verklaring, zoals VHP-2026-000042.',
          schema: { type: 'string', pattern: '^VHP-[0-9]{4}-[0-9]{6}$', example: 'VHP-2026-000042' },
        },
        peildatum: {
          name: 'peildatum',
          in: 'query',
          required: false,
          description:
            'De status aan het einde van deze Nederlandse kalenderdag (JJJJ-MM-DD), vanaf 1990-01-01 tot en met vandaag. Zonder peildatum: de status nu.',
          schema: { type: 'string', format: 'date', example: '2026-06-30' },
        },
        zoekterm: {
          name: 'zoekterm',
          in: 'query',
          required: false,
          description:
            'Naam of handelsnaam (typefouten worden verdragen), KvK-nummer (8 cijfers, of de eerste 2 tot 7), btw-id of websitedomein. Hoogstens 200 tekens.',
          schema: { type: 'string', maxLength: 200, example: 'polderwolk' },
        },
        status: {
          name: 'status',
          in: 'query',
          required: false,
          description: 'Alleen hostingproviders met deze status nu.',
          schema: { type: 'string', enum: [...STATUS_FILTERS] },
        },
        sorteer: {
          name: 'sorteer',
          in: 'query',
          required: false,
          description:
            'Volgorde: `relevantie` (standaard met zoekterm), `naam` (standaard zonder), `kvkNummer` of `status` (verantwoord eerst).',
          schema: { type: 'string', enum: ['relevantie', 'naam', 'kvkNummer', 'status'] },
        },
        pagina: {
          name: 'pagina',
          in: 'query',
          required: false,
          description: 'Het paginanummer, vanaf 1.',
          schema: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
        },
        paginaGrootte: {
          name: 'paginaGrootte',
          in: 'query',
          required: false,
          description: 'Het aantal hostingproviders per pagina.',
          schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 },
        },
      },
      responses: {
        OngeldigVerzoek: problem(
          'Ongeldige invoer: `invalidParams` noemt elke parameter of elk veld met de reden.',
          exampleProblem,
        ),
        NietGevonden: problem(
          'Deze resource bestaat niet: een onbekend KvK-nummer, een onbekend pad, of een URL met een schuine streep aan het eind.',
          problemExample(
            404,
            'providerNotFound',
            'Niet gevonden',
            'Er staat geen hostingprovider met dit KvK-nummer in het register.',
            '/api/v1/hostingproviders/12121212',
          ),
        ),
        TeGroot: problem(
          'De body is groter dan 2 MB.',
          problemExample(
            413,
            'tooLarge',
            'Verzoek te groot',
            'De body van het verzoek is groter dan 2 MB.',
            '/api/v1/controles',
          ),
        ),
        MediatypeNietOndersteund: problem(
          'De body is geen application/json.',
          problemExample(
            415,
            'unsupportedMediaType',
            'Mediatype niet ondersteund',
            'Stuur de body als application/json.',
            '/api/v1/controles',
          ),
        ),
        InterneFout: problem(
          'Een fout aan de kant van het register. De header X-Request-Id helpt ons die terug te vinden.',
          problemExample(
            500,
            'server',
            'Interne fout',
            'Er ging aan onze kant iets mis. Vermeld de waarde van de header X-Request-Id als u contact opneemt.',
            '/api/v1/hostingproviders',
          ),
        ),
        NietBeschikbaar: problem(
          'Het register is even niet bereikbaar; probeer het na Retry-After seconden opnieuw.',
          problemExample(
            503,
            'unavailable',
            'Tijdelijk niet beschikbaar',
            'Het register is even niet bereikbaar; probeer het over enkele seconden opnieuw.',
            '/api/v1/hostingproviders',
          ),
        ),
      },
      schemas: withExamples({
        StatusCode: {
          type: 'string',
          description:
            '`verantwoord`, of de reden waarom niet: `not_listed` (geen goedgekeurde aanvraag), `application_pending` (aanvraag in behandeling), `rejected` (aanvraag afgewezen), `expired` (vermelding verlopen), `suspended` (geschorst), `revoked` (ingetrokken), `code_of_conduct_outdated` (ondertekende gedragscode niet meer geldig), `aan_participation_ended` (AAN-deelname beëindigd). Bij meerdere redenen tegelijk telt de eerste in deze volgorde: ingetrokken, verlopen, geschorst, gedragscode, AAN.',
          enum: [...STATUS_FILTERS],
        },
        StatusSamenvatting: {
          type: 'object',
          required: ['code', 'verantwoord', 'omschrijving', 'sinds', 'geldigTot'],
          properties: {
            code: ref('StatusCode'),
            verantwoord: { type: 'boolean', description: 'Of de hostingprovider nu verantwoord is.' },
            omschrijving: { type: 'string', description: 'De status in woorden.' },
            sinds: dateTime('Sinds wanneer deze status geldt, als dat bekend is.', true),
            geldigTot: dateTime('Het einde van de vermelding, als er een is.', true),
          },
        },
        HostingproviderSamenvatting: {
          type: 'object',
          required: ['kvkNummer', 'naam', 'handelsnamen', 'vestigingsplaats', 'website', 'status', 'links'],
          properties: {
            kvkNummer: { type: 'string', pattern: '^[0-9]{8}$', description: 'Het KvK-nummer.' },
            naam: { type: 'string', description: 'De statutaire naam.' },
            handelsnamen: { type: 'array', items: { type: 'string' }, description: 'De handelsnamen.' },
            vestigingsplaats: { type: 'string', description: 'De plaats van het adres.' },
            website: { type: 'string', nullable: true, description: 'De website, als die is opgegeven.' },
            status: ref('StatusSamenvatting'),
            links: {
              type: 'object',
              required: ['self'],
              properties: { self: link('Deze hostingprovider in de API.') },
            },
          },
        },
        Paginering: {
          type: 'object',
          required: ['pagina', 'paginaGrootte', 'aantalPaginas', 'totaal'],
          properties: {
            pagina: { type: 'integer', minimum: 1, description: 'Deze pagina.' },
            paginaGrootte: { type: 'integer', minimum: 1, description: 'Hoeveel resultaten per pagina.' },
            aantalPaginas: { type: 'integer', minimum: 1, description: 'Het aantal pagina’s (minstens 1).' },
            totaal: { type: 'integer', minimum: 0, description: 'Het aantal gevonden hostingproviders.' },
          },
        },
        PaginaLinks: {
          type: 'object',
          required: ['self', 'first', 'last'],
          properties: {
            self: link('Deze pagina.'),
            first: link('De eerste pagina.'),
            last: link('De laatste pagina.'),
            prev: link('De vorige pagina, behalve op de eerste.'),
            next: link('De volgende pagina, behalve op de laatste.'),
          },
        },
        HostingproviderLijst: {
          type: 'object',
          required: ['hostingproviders', 'paginering', 'links'],
          properties: {
            hostingproviders: { type: 'array', items: ref('HostingproviderSamenvatting') },
            paginering: ref('Paginering'),
            links: ref('PaginaLinks'),
          },
        },
        Adres: {
          type: 'object',
          required: ['straatEnHuisnummer', 'postcode', 'plaats'],
          properties: {
            straatEnHuisnummer: { type: 'string' },
            postcode: { type: 'string' },
            plaats: { type: 'string' },
          },
        },
        Status: {
          type: 'object',
          required: [
            'peilmoment',
            'verantwoord',
            'code',
            'omschrijving',
            'uitleg',
            'toelichting',
            'sinds',
            'tot',
          ],
          properties: {
            peildatum: {
              type: 'string',
              format: 'date',
              description: 'De gevraagde peildatum; alleen als die gevraagd is.',
            },
            peilmoment: dateTime('Het moment waarop deze status geldt (einde van de peildatum, of nu).'),
            verantwoord: {
              type: 'boolean',
              description: 'Of de hostingprovider op het peilmoment verantwoord is.',
            },
            code: ref('StatusCode'),
            omschrijving: { type: 'string', description: 'De status in woorden.' },
            uitleg: { type: 'string', description: 'Wat deze status betekent.' },
            toelichting: {
              type: 'string',
              nullable: true,
              description:
                'De toelichting van de beoordelaar bij de wijziging die tot deze reden leidde, als die er is.',
            },
            sinds: dateTime('Sinds wanneer deze status geldt, als dat bekend is.', true),
            tot: dateTime('Het geplande einde van een schorsing, als dat er is.', true),
            gewijzigdOpPeildatum: {
              type: 'boolean',
              description: 'Alleen met peildatum: of de status in de loop van die dag veranderde.',
            },
            voorEersteStatuswijziging: {
              type: 'boolean',
              description:
                'Alleen met peildatum: of de peildatum vóór de eerste vastgelegde statuswijziging ligt (het register wist toen nog niets van deze hostingprovider).',
            },
          },
        },
        Vermelding: {
          type: 'object',
          nullable: true,
          description: 'De goedgekeurde vermelding waarop de status rust, of null.',
          required: ['goedgekeurdOp', 'geldigTot', 'gedragscodeVersie', 'aanDeelnameSinds'],
          properties: {
            goedgekeurdOp: dateTime('Het moment van goedkeuring: het begin van de vermelding.'),
            geldigTot: dateTime('Het einde van de vermelding (niet meer inbegrepen).'),
            gedragscodeVersie: {
              type: 'string',
              nullable: true,
              description: 'De versie van de gedragscode die ondertekend is.',
            },
            aanDeelnameSinds: dateTime('Deelname aan het Anti Abuse Netwerk sinds (begin van die dag).'),
          },
        },
        Hostingprovider: {
          type: 'object',
          required: [
            'kvkNummer',
            'naam',
            'handelsnamen',
            'btwNummer',
            'adres',
            'website',
            'abuseEmailadres',
            'asNummers',
            'status',
            'vermelding',
            'verklaringen',
            'links',
          ],
          properties: {
            kvkNummer: { type: 'string', pattern: '^[0-9]{8}$' },
            naam: { type: 'string', description: 'De statutaire naam.' },
            handelsnamen: { type: 'array', items: { type: 'string' } },
            btwNummer: { type: 'string', nullable: true, description: 'Het btw-id, als het is opgegeven.' },
            adres: ref('Adres'),
            website: { type: 'string', nullable: true },
            abuseEmailadres: { type: 'string', description: 'Waar misbruik gemeld kan worden.' },
            asNummers: {
              type: 'array',
              items: { type: 'integer' },
              description: 'De AS-nummers van het netwerk.',
            },
            status: ref('Status'),
            vermelding: ref('Vermelding'),
            verklaringen: {
              type: 'array',
              description:
                'De verklaringen die tot het peilmoment zijn afgegeven, nieuwste eerst, met hun status op het peilmoment.',
              items: ref('VerklaringSamenvatting'),
            },
            links: {
              type: 'object',
              required: ['self', 'statuswijzigingen', 'webpagina'],
              properties: {
                self: link('Deze resource.'),
                statuswijzigingen: link('De statusgeschiedenis.'),
                webpagina: link('De pagina van deze hostingprovider in het register.'),
              },
            },
          },
        },
        VerklaringStatus: {
          type: 'string',
          enum: ['valid', 'suspended', 'revoked', 'expired'],
          description:
            '`valid` (geldig), `suspended` (geschorst), `revoked` (ingetrokken: de hostingprovider verloor zijn status) of `expired` (verlopen).',
        },
        VerklaringSamenvatting: {
          type: 'object',
          required: ['nummer', 'status', 'afgegevenOp', 'geldigTot', 'links'],
          properties: {
            nummer: { type: 'string', pattern: '^VHP-[0-9]{4}-[0-9]{6}$' },
            status: ref('VerklaringStatus'),
            afgegevenOp: dateTime('Het moment van afgifte.'),
            geldigTot: dateTime('Het einde van de geldigheid.'),
            links: {
              type: 'object',
              required: ['self', 'pdf'],
              properties: {
                self: link('Het verificatie-antwoord.'),
                pdf: link('De pdf, precies zoals afgegeven.'),
              },
            },
          },
        },
        Verklaring: {
          type: 'object',
          required: [
            'nummer',
            'status',
            'omschrijving',
            'uitleg',
            'sinds',
            'tot',
            'reden',
            'toelichting',
            'hostingprovider',
            'afgegevenOp',
            'geldigTot',
            'vingerafdruk',
            'links',
          ],
          properties: {
            nummer: { type: 'string', pattern: '^VHP-[0-9]{4}-[0-9]{6}$' },
            status: ref('VerklaringStatus'),
            omschrijving: { type: 'string', description: 'De status in woorden.' },
            uitleg: { type: 'string', description: 'Wat deze status betekent.' },
            sinds: dateTime(
              'Sinds wanneer de verklaring niet geldt (geschorst, ingetrokken, verlopen).',
              true,
            ),
            tot: dateTime('Het geplande einde van een schorsing, als dat er is.', true),
            reden: {
              type: 'string',
              nullable: true,
              enum: [...STATUS_FILTERS.filter((s) => s !== 'verantwoord'), null],
              description: 'Waarom de hostingprovider niet verantwoord was (redencode, zie StatusCode).',
            },
            toelichting: {
              type: 'string',
              nullable: true,
              description: 'De toelichting van de beoordelaar bij die wijziging, als die er is.',
            },
            hostingprovider: {
              type: 'object',
              required: ['kvkNummer', 'naam'],
              properties: { kvkNummer: { type: 'string', pattern: '^[0-9]{8}$' }, naam: { type: 'string' } },
            },
            afgegevenOp: dateTime('Het moment van afgifte (ook het begin van de geldigheid).'),
            geldigTot: dateTime(
              'Het einde van de geldigheid: de eerste van het einde van de vermelding en 12 maanden na afgifte.',
            ),
            vingerafdruk: {
              type: 'string',
              pattern: '^[0-9a-f]{64}$',
              description:
                'SHA-256 van de gegevens van de verklaring (canoniek JSON, RFC 8785), zoals op de pdf gedrukt.',
            },
            links: {
              type: 'object',
              required: ['self', 'pdf', 'verificatiepagina', 'hostingprovider'],
              properties: {
                self: link('Deze resource.'),
                pdf: link('De pdf, precies zoals afgegeven.'),
                verificatiepagina: link('De verificatiepagina (waar de QR-code naar wijst).'),
                hostingprovider: link('De hostingprovider in de API.'),
              },
            },
          },
        },
        Statuswijziging: {
          type: 'object',
          required: [
            'volgnummer',
            'soort',
            'omschrijving',
            'ingangsmoment',
            'registratiemoment',
            'toelichting',
            'geldigTot',
            'geschorstTot',
            'gedragscodeVersie',
            'aanDeelnameSinds',
          ],
          properties: {
            volgnummer: {
              type: 'integer',
              description: 'Oplopend in de volgorde van vastleggen, over het hele register.',
            },
            soort: { type: 'string', enum: [...STATUS_EVENT_KINDS], description: 'Wat er veranderde.' },
            omschrijving: { type: 'string', description: 'De soort in woorden.' },
            ingangsmoment: dateTime('Wanneer de wijziging ingaat.'),
            registratiemoment: dateTime('Wanneer het register de wijziging vastlegde.'),
            toelichting: {
              type: 'string',
              nullable: true,
              description: 'De toelichting van de beoordelaar.',
            },
            geldigTot: dateTime('Bij een goedkeuring: het einde van de vermelding.', true),
            geschorstTot: dateTime('Bij een schorsing: het geplande einde, als dat er is.', true),
            gedragscodeVersie: {
              type: 'string',
              nullable: true,
              description: 'Bij een goedkeuring: de ondertekende versie van de gedragscode.',
            },
            aanDeelnameSinds: dateTime('Bij een goedkeuring: AAN-deelname sinds.', true),
          },
        },
        Statuswijzigingen: {
          type: 'object',
          required: ['kvkNummer', 'statuswijzigingen', 'links'],
          properties: {
            kvkNummer: { type: 'string', pattern: '^[0-9]{8}$' },
            statuswijzigingen: { type: 'array', items: ref('Statuswijziging') },
            links: {
              type: 'object',
              required: ['self', 'hostingprovider'],
              properties: { self: link('Deze resource.'), hostingprovider: link('De hostingprovider.') },
            },
          },
        },
        ControleVerzoek: {
          type: 'object',
          additionalProperties: false,
          required: ['kvkNummers'],
          properties: {
            peildatum: {
              type: 'string',
              format: 'date',
              description:
                'De Nederlandse kalenderdag waarop gecontroleerd wordt; standaard vandaag. Niet in de toekomst.',
            },
            kvkNummers: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_BULK_ROWS,
              description:
                'De te controleren KvK-nummers, als tekst. Een nummer dat geen 8 cijfers is, krijgt de uitkomst `ongeldig`.',
              items: { type: 'string', maxLength: 20 },
            },
          },
        },
        Controle: {
          type: 'object',
          required: ['peildatum', 'peilmoment', 'aantallen', 'resultaten'],
          properties: {
            peildatum: { type: 'string', format: 'date', description: 'De peildatum.' },
            peilmoment: dateTime(
              'Het gecontroleerde moment: het einde van de peildatum, of nu als dat vandaag is.',
            ),
            aantallen: {
              type: 'object',
              required: ['verantwoord', 'nietVerantwoord', 'onbekend', 'ongeldig', 'dubbel'],
              properties: {
                verantwoord: { type: 'integer', minimum: 0 },
                nietVerantwoord: { type: 'integer', minimum: 0 },
                onbekend: { type: 'integer', minimum: 0 },
                ongeldig: { type: 'integer', minimum: 0 },
                dubbel: { type: 'integer', minimum: 0 },
              },
            },
            resultaten: { type: 'array', items: ref('ControleResultaat') },
          },
        },
        ControleResultaat: {
          type: 'object',
          required: ['positie', 'kvkNummer', 'uitkomst', 'reden', 'naam', 'dubbelVan', 'hostingprovider'],
          properties: {
            positie: { type: 'integer', minimum: 1, description: 'De plaats in de gegeven lijst, vanaf 1.' },
            kvkNummer: { type: 'string', description: 'Het nummer zoals gegeven (zonder spaties eromheen).' },
            uitkomst: {
              type: 'string',
              enum: ['verantwoord', 'niet_verantwoord', 'onbekend', 'ongeldig', 'dubbel'],
            },
            reden: {
              type: 'string',
              nullable: true,
              enum: [...STATUS_FILTERS.filter((s) => s !== 'verantwoord'), null],
              description: 'Bij `niet_verantwoord`: de redencode (zie StatusCode).',
            },
            naam: {
              type: 'string',
              nullable: true,
              description: 'De naam, als het nummer in het register staat.',
            },
            dubbelVan: {
              type: 'integer',
              nullable: true,
              description: 'Bij `dubbel`: de positie waar dit nummer eerder stond.',
            },
            hostingprovider: {
              type: 'object',
              nullable: true,
              required: ['href'],
              description: 'De hostingprovider in de API, als het nummer in het register staat.',
              properties: { href: { type: 'string', format: 'uri' } },
            },
          },
        },
        Probleem: {
          type: 'object',
          description: 'Een foutmelding volgens RFC 9457 (problem details).',
          required: ['type', 'title', 'status', 'detail', 'instance', 'code'],
          properties: {
            type: { type: 'string', format: 'uri', description: 'Waar dit soort probleem beschreven staat.' },
            title: { type: 'string', description: 'Het soort probleem, kort.' },
            status: { type: 'integer', description: 'De HTTP-statuscode.' },
            detail: { type: 'string', description: 'Wat er mis is, voor mensen.' },
            instance: { type: 'string', description: 'Het verzoek waar het om gaat (pad en query).' },
            code: { type: 'string', description: 'Het soort probleem, voor programma’s.' },
            invalidParams: {
              type: 'array',
              description: 'Bij een 400: elke geweigerde parameter of elk geweigerd veld.',
              items: {
                type: 'object',
                required: ['name', 'code', 'reason'],
                properties: {
                  name: {
                    type: 'string',
                    description: 'De parameter of het veld, bijv. `peildatum` of `kvkNummers[3]`.',
                  },
                  code: { type: 'string', description: 'Wat er mis is, voor programma’s.' },
                  reason: { type: 'string', description: 'Wat er mis is, voor mensen.' },
                },
              },
            },
          },
        },
      }),
    },
  };
}
