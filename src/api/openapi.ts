import { OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import type { ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { MAX_BULK_ROWS } from '../check/bulk-check.service';
import { EXAMPLE_KVK, exampleProblem } from './api.examples';
import {
  AttestationPath,
  ChangesQuery,
  ControleVerzoek,
  FEED_MAX_PAGE_SIZE,
  NoQuery,
  ProviderPath,
  ProviderQuery,
  SearchQuery,
} from './api.params';
import { componentRef, registry } from './api.registry';
import {
  NieuwWebhookAbonnement,
  WebhookAbonnement,
  WebhookAbonnementen,
  WebhookAbonnementPath,
  WebhookAbonnementVerzoek,
  WebhookAbonnementWijziging,
  WebhookAfleveringen,
  WebhookGebeurtenis,
} from './api.webhook-schemas';
import { DEPRECATIONS } from './api.lifecycle';
import {
  NieuwSignaal,
  Signaal,
  SignaalPath,
  SignaalVerzoek,
  Signalen,
  SignalenQuery,
} from './api.signal-schemas';
import { ApiIngang } from './api.root';
import {
  Controle,
  Hostingprovider,
  HostingproviderLijst,
  Probleem,
  Statuswijzigingen,
  StatuswijzigingenFeed,
  Verklaring,
} from './api.schemas';

/** The full version of the API, sent in the API-Version header of every answer. */
export const API_VERSION = '1.1.0';

/**
 * The OpenAPI 3.0 document of /api/v1: the contract other systems rely on, generated from the zod
 * schemas that also read the requests (api.params.ts) and type the answers (api.schemas.ts). The
 * tests validate every API answer they receive against it, and CI lints it with both NL API Design
 * Rules rulesets and Redocly's recommended rules; the documentation page is rendered from it.
 */

const versionHeader = {
  'API-Version': componentRef('headers', 'API-Version'),
  RateLimit: componentRef('headers', 'RateLimit'),
  'RateLimit-Policy': componentRef('headers', 'RateLimit-Policy'),
};
const readHeaders = {
  ...versionHeader,
  'Access-Control-Allow-Origin': componentRef('headers', 'Access-Control-Allow-Origin'),
};

registry.registerComponent('headers', 'API-Version', {
  description: 'De volledige versie van deze API (semantic versioning).',
  schema: { type: 'string', example: API_VERSION },
});
registry.registerComponent('headers', 'Access-Control-Allow-Origin', {
  description: 'Lezen mag vanaf elke website: altijd `*`.',
  schema: { type: 'string', example: '*' },
});
registry.registerComponent('headers', 'RateLimit-Policy', {
  description:
    'De limiet per client (adres) als structured field (draft-ietf-httpapi-ratelimit-headers): `q` verzoeken per `w` seconden.',
  schema: { type: 'string', example: '"per-minute";q=600;w=60' },
});
registry.registerComponent('headers', 'RateLimit', {
  description:
    'Wat er over is van de limiet: `r` verzoeken, nog `t` seconden tot het venster opnieuw begint.',
  schema: { type: 'string', example: '"per-minute";r=599;t=60' },
});
registry.registerComponent('headers', 'Retry-After', {
  description: 'Na hoeveel seconden u het opnieuw kunt proberen.',
  schema: { type: 'integer', example: 30 },
});
registry.registerComponent('headers', 'Allow', {
  description: 'De methoden die dit pad wel kent.',
  schema: { type: 'string', example: 'GET, POST' },
});
registry.registerComponent('headers', 'Link', {
  description: 'Dezelfde paginalinks als in `links`, als RFC 8288-header (first, prev, next, last, self).',
  schema: { type: 'string' },
});

registry.registerComponent('headers', 'ETag', {
  description:
    'Een zwakke validator (W/"…") over de gegevens van het antwoord: stuur hem terug in If-None-Match en krijg 304 zolang er niets veranderde (bij een hostingprovider telt het `peilmoment` niet mee).',
  schema: { type: 'string' },
});
registry.registerComponent('headers', 'Last-Modified', {
  description: 'Wanneer de gegevens van het antwoord het laatst veranderden; voor If-Modified-Since.',
  schema: { type: 'string' },
});
registry.registerComponent('headers', 'Cache-Control', {
  description:
    'Hoe lang een cache het antwoord mag bewaren: `public, max-age=60, must-revalidate`; een volle pagina van de wijzigingenfeed `public, max-age=300`.',
  schema: { type: 'string' },
});
/** The headers of an answer that caches may keep and clients may revalidate. */
const cacheHeaders = {
  ETag: componentRef('headers', 'ETag'),
  'Last-Modified': componentRef('headers', 'Last-Modified'),
  'Cache-Control': componentRef('headers', 'Cache-Control'),
};
const notModified: ResponseConfig = {
  description:
    'Niet gewijzigd sinds de kopie van de client (If-None-Match of If-Modified-Since); zonder body.',
  headers: { ...versionHeader, ...cacheHeaders },
};

const problemExample = (status: number, code: string, title: string, detail: string, instance: string) => ({
  type: `https://register.example/api-documentatie#probleem-${code}`,
  title,
  status,
  detail,
  instance,
  code,
});

/** The problem answers, by status: each a component the operations refer to. */
const PROBLEM_RESPONSES = {
  400: [
    'OngeldigVerzoek',
    'Ongeldige invoer: `invalidParams` noemt elke parameter of elk veld met de reden.',
    exampleProblem,
  ],
  401: [
    'NietGeautoriseerd',
    'Geen, een onbekende of een ingetrokken API-sleutel in X-Api-Key (of Authorization: Bearer).',
    problemExample(
      401,
      'unauthorized',
      'Niet geautoriseerd',
      'Deze operatie vraagt een geldige API-sleutel van uw organisatie in de header X-Api-Key (of Authorization: Bearer). Een ingetrokken sleutel werkt niet meer.',
      '/api/v1/webhook-abonnementen',
    ),
  ],
  403: [
    'OrganisatieGeschorst',
    'Een geldige API-sleutel van een signaalleverancier die de beheerder van het register heeft geschorst: zolang de schorsing duurt, werkt geen sleutel van de organisatie.',
    problemExample(
      403,
      'organisationSuspended',
      'Organisatie geschorst',
      'De beheerder van het register heeft uw organisatie geschorst: haar API-sleutels werken niet meer en haar mensen kunnen niet inloggen. Neem contact op met het register.',
      '/api/v1/signalen',
    ),
  ],
  404: [
    'NietGevonden',
    'Deze resource bestaat niet: een onbekend KvK-nummer, een onbekend pad, of een URL met een schuine streep aan het eind.',
    problemExample(
      404,
      'providerNotFound',
      'Niet gevonden',
      'Er staat geen hostingprovider met dit KvK-nummer in het register.',
      '/api/v1/hostingproviders/12121212',
    ),
  ],
  413: [
    'TeGroot',
    'De body is groter dan de grens van de operatie: 2 MB voor `POST /controles`, 16 kB voor `POST /webhook-abonnementen`, 4 kB voor `PATCH /webhook-abonnementen/{id}`; `detail` noemt de grens.',
    problemExample(
      413,
      'tooLarge',
      'Verzoek te groot',
      'De body van het verzoek is groter dan 2 MB, de grens van deze operatie.',
      '/api/v1/controles',
    ),
  ],
  405: [
    'MethodeNietToegestaan',
    'Dit pad kent deze methode niet; de header Allow noemt de methoden die het wel kent.',
    problemExample(
      405,
      'methodNotAllowed',
      'Methode niet toegestaan',
      'Deze resource kent deze HTTP-methode niet; de header Allow noemt de methoden die wel kunnen.',
      '/api/v1/webhook-abonnementen',
    ),
  ],
  415: [
    'MediatypeNietOndersteund',
    'De body is geen application/json.',
    problemExample(
      415,
      'unsupportedMediaType',
      'Mediatype niet ondersteund',
      'Stuur de body als application/json.',
      '/api/v1/controles',
    ),
  ],
  429: [
    'TeVeelVerzoeken',
    'Te veel verzoeken van dit adres in een minuut (`tooMany`), of bij `POST /controles` te veel controles tegelijk (`tooManyChecks`). Probeer het na Retry-After seconden opnieuw.',
    problemExample(
      429,
      'tooMany',
      'Te veel verzoeken',
      'Er kwamen te veel verzoeken van dit adres; probeer het na de tijd in Retry-After opnieuw.',
      '/api/v1/hostingproviders',
    ),
  ],
  500: [
    'InterneFout',
    'Een fout aan de kant van het register. De header X-Request-Id helpt ons die terug te vinden.',
    problemExample(
      500,
      'server',
      'Interne fout',
      'Er ging aan onze kant iets mis. Vermeld de waarde van de header X-Request-Id als u contact opneemt.',
      '/api/v1/hostingproviders',
    ),
  ],
  503: [
    'NietBeschikbaar',
    'Het register is even niet bereikbaar (`unavailable`) of te druk (`busy`); probeer het na Retry-After seconden opnieuw.',
    problemExample(
      503,
      'unavailable',
      'Tijdelijk niet beschikbaar',
      'Het register is even niet bereikbaar; probeer het over enkele seconden opnieuw.',
      '/api/v1/hostingproviders',
    ),
  ],
} satisfies Record<number, [name: string, description: string, example: object]>;
registry.register('Probleem', Probleem);
for (const [status, [name, description, example]] of Object.entries(PROBLEM_RESPONSES)) {
  registry.registerComponent('responses', name, {
    description,
    headers: {
      ...readHeaders,
      ...(status === '429' || status === '503'
        ? { 'Retry-After': componentRef('headers', 'Retry-After') }
        : {}),
      ...(status === '405' ? { Allow: componentRef('headers', 'Allow') } : {}),
    },
    content: { 'application/problem+json': { schema: componentRef('schemas', 'Probleem'), example } },
  });
}

const errors = (...statuses: (keyof typeof PROBLEM_RESPONSES)[]) =>
  Object.fromEntries(
    statuses.map((status) => [String(status), componentRef('responses', PROBLEM_RESPONSES[status][0])]),
  );

function ok(description: string, schema: ZodType, extraHeaders = {}): ResponseConfig {
  return {
    description,
    headers: { ...readHeaders, ...extraHeaders },
    content: { 'application/json': { schema } },
  };
}

const operation = (route: RouteConfig) => registry.registerPath(route);

operation({
  method: 'get',
  path: '/',
  operationId: 'getApiIngang',
  tags: ['Documentatie'],
  summary: 'De ingang van de API',
  description:
    'Waar de documentatie en elke resource van deze versie te vinden zijn, als links. Een link met `templated: true` is een URI-template: vul de variabele in.',
  request: { query: NoQuery },
  responses: {
    '200': ok('De links van deze versie.', ApiIngang),
    ...errors(400, 429, 500),
  },
});

operation({
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApi',
  tags: ['Documentatie'],
  summary: 'Dit OpenAPI-document',
  description: 'Het OpenAPI 3.0-document van deze API, zoals u het nu leest.',
  responses: {
    '200': {
      description: 'Het OpenAPI-document.',
      headers: {
        ...versionHeader,
        'access-control-allow-origin': componentRef('headers', 'Access-Control-Allow-Origin'),
      },
      content: { 'application/json': { schema: { type: 'object' } } },
    },
    // A URL with a trailing slash, such as /openapi.json/, is not this resource.
    ...errors(404, 429, 500),
  },
});

operation({
  method: 'get',
  path: '/hostingproviders',
  operationId: 'zoekHostingproviders',
  tags: ['Hostingproviders'],
  summary: 'Hostingproviders zoeken',
  description:
    'Zoekt in het register op naam of handelsnaam (tolerant voor typefouten), KvK-nummer (heel of het begin), btw-id of websitedomein; filtert op status; sorteert en pagineert. Zonder zoekterm geeft het het hele register, op naam gesorteerd. Een pagina voorbij de laatste is leeg; de links wijzen dan naar de eerste en de laatste pagina. De status komt uit dezelfde statusregels als de detailresource. Het register bevat alleen hostingproviders waarvan een beoordelaar de identiteit heeft bevestigd; een nieuwe registratie is tot die tijd ook bij opvragen en controleren onbekend.',
  request: { query: SearchQuery },
  responses: {
    '200': ok('Eén pagina met hostingproviders.', HostingproviderLijst, {
      Link: componentRef('headers', 'Link'),
    }),
    ...errors(400, 429, 500, 503),
  },
});

operation({
  method: 'get',
  path: '/hostingproviders/{kvkNummer}',
  operationId: 'getHostingprovider',
  tags: ['Hostingproviders'],
  summary: 'Eén hostingprovider met zijn status',
  description:
    'De gegevens van een hostingprovider en zijn status: nu, of met `peildatum` aan het einde van die Nederlandse kalenderdag (of nu, als de peildatum vandaag is). De status komt uit de statusregels over de vastgelegde geschiedenis; `code` is `verantwoord` of de reden waarom niet. `vermelding` is de goedgekeurde vermelding waar de status op rust (ook als die verlopen, geschorst of ingetrokken is), of null.',
  request: { params: ProviderPath, query: ProviderQuery },
  responses: {
    '200': ok('De hostingprovider en zijn status.', Hostingprovider, cacheHeaders),
    '304': notModified,
    ...errors(400, 404, 429, 500, 503),
  },
});

operation({
  method: 'get',
  path: '/hostingproviders/{kvkNummer}/statuswijzigingen',
  operationId: 'getStatuswijzigingen',
  tags: ['Hostingproviders'],
  summary: 'De statusgeschiedenis van een hostingprovider',
  description:
    'Alle vastgelegde statuswijzigingen van een hostingprovider, nieuwste eerst. Wijzigingen worden nooit aangepast of verwijderd; een correctie is een nieuwe wijziging. `ingangsmoment` is wanneer de wijziging ingaat, `registratiemoment` wanneer het register haar vastlegde.',
  request: { params: ProviderPath, query: NoQuery },
  responses: {
    '200': ok('De statuswijzigingen.', Statuswijzigingen, cacheHeaders),
    '304': notModified,
    ...errors(400, 404, 429, 500, 503),
  },
});

operation({
  method: 'get',
  path: '/statuswijzigingen',
  operationId: 'volgStatuswijzigingen',
  tags: ['Statuswijzigingen'],
  summary: 'Alle statuswijzigingen in het register, om bij te houden wat er veranderde',
  description: `Elke statuswijziging van elke openbare hostingprovider, oudste eerst, in pagina’s van hoogstens \`paginaGrootte\` (standaard 100, hoogstens ${FEED_MAX_PAGE_SIZE}). Volg \`links.next\` (ook in de Link-header): er is altijd een volgende pagina, en wie die later opnieuw opvraagt krijgt wat er intussen vastgelegd is. Zo mist een client niets, ook niet wat vastgelegd wordt terwijl hij bladert: de volgorde is die waarin wijzigingen vastgelegd (gecommit) zijn, en een wijziging komt nooit vóór een plek die een client al gelezen heeft. Elke wijziging noemt de status ervoor (\`van\`) en erna (\`naar\`). Naast besluiten staan er ook wijzigingen in die de tijd bracht: een verlopen vermelding en een vervallen gedragscode (vastgelegd door het nachtelijke werk, met het ingangsmoment waarop zij golden) en een einde van AAN-deelname uit de AAN-lijst. Een hostingprovider verschijnt vanaf het moment dat het register zijn identiteit bevestigde (bij het eerste besluit); de indiening van zijn eerste aanvraag staat alleen in zijn eigen statusgeschiedenis. Met \`kvkNummer\` alleen de wijzigingen van die hostingproviders.`,
  request: { query: ChangesQuery },
  responses: {
    '200': ok('Eén pagina met statuswijzigingen.', StatuswijzigingenFeed, {
      Link: componentRef('headers', 'Link'),
      ...cacheHeaders,
    }),
    '304': notModified,
    ...errors(400, 429, 500, 503),
  },
});

operation({
  method: 'get',
  path: '/verklaringen/{nummer}',
  operationId: 'getVerklaring',
  tags: ['Verklaringen'],
  summary: 'Een verklaring controleren',
  description:
    'Het verificatie-antwoord voor een verklaring verantwoorde hostingprovider: `valid` (geldig), `suspended` (de hostingprovider is geschorst; weer geldig na opheffing, binnen de geldigheid), `revoked` (de hostingprovider verloor zijn status na afgifte; blijvend) of `expired` (de geldigheid is voorbij). Het antwoord wordt bij elk verzoek met de statusregels berekend: een schorsing of intrekking telt direct. Een onbekend nummer is een 404: zo’n verklaring is niet door het register afgegeven. Het antwoord bevat ook het bewijs dat de afgifte in het openbare transparantielog van het register staat (`transparantielog`): het bladnummer, een inclusiebewijs en het ondertekende checkpoint, en een link (`bewijs`) naar hetzelfde als één C2SP tlog-proof-bestand, om met de pdf en de sleutel van het log offline te controleren. Vlak na de afgifte dekt nog geen checkpoint de afgifte (`opgenomen: false`, zonder link `bewijs`); `melding` zegt binnen hoeveel seconden dat gebeurt. Bevat het log de afgifte helemaal niet (`opgenomen: false` met een `reden`), dan is de verklaring buiten het register om in de database gezet: vertrouw haar niet zonder navraag bij het register.',
  request: { params: AttestationPath, query: NoQuery },
  responses: {
    '200': ok('Het verificatie-antwoord.', Verklaring),
    ...errors(400, 404, 429, 500, 503),
  },
});

operation({
  method: 'post',
  path: '/controles',
  operationId: 'controleerLijst',
  tags: ['Controles'],
  summary: 'Een lijst KvK-nummers controleren',
  description: `Controleert tot ${MAX_BULK_ROWS.toLocaleString('nl-NL')} KvK-nummers op één peildatum (standaard vandaag). Elk nummer krijgt een eigen uitkomst in de volgorde van de lijst: \`verantwoord\`, \`niet_verantwoord\` (met de reden), \`onbekend\` (niet in het register), \`ongeldig\` (geen 8 cijfers) of \`dubbel\` (al eerder in de lijst; \`dubbelVan\` noemt de positie). Nummers worden gelezen zoals mensen ze typen en plakken: spaties, punten, streepjes en ‘KvK’ ervoor tellen niet mee, en bij 7 cijfers wordt de weggevallen voorloopnul aangevuld als dat nummer in het register staat (\`gelezenAls\` en \`opmerking\` zeggen hoe). Een ongeldig of onbekend nummer laat de rest van de lijst niet mislukken. Er wordt niets opgeslagen. Alleen vanaf deze site of van een server aanroepbaar (geen CORS).`,
  request: {
    query: NoQuery,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: ControleVerzoek,
          example: { peildatum: '2026-06-30', kvkNummers: [EXAMPLE_KVK, '12121212', '1234'] },
        },
      },
    },
  },
  responses: {
    '200': {
      description: 'De uitkomst per nummer en de aantallen per uitkomst.',
      headers: versionHeader,
      content: { 'application/json': { schema: Controle } },
    },
    ...errors(400, 413, 415, 429, 500, 503),
  },
});

/**
 * zod-to-openapi also files a registered parameter's schema under components/schemas, by the
 * parameter's name; the document keeps each parameter's schema in the parameter, where readers
 * (and the documentation page) look for it.
 */
function inlineParameterSchemas(components: Record<string, Record<string, unknown> | undefined>): void {
  const { schemas = {}, parameters = {} } = components;
  for (const [name, parameter] of Object.entries(parameters) as [string, { schema?: { $ref?: string } }][]) {
    if (parameter.schema?.$ref !== `#/components/schemas/${name}`) continue;
    parameter.schema = schemas[name] as { $ref?: string };
    delete schemas[name];
  }
}

interface DocumentedOperation {
  deprecated?: boolean;
  parameters?: { name?: string; in?: string; deprecated?: boolean }[];
}

/** Flags what DEPRECATIONS lists: a whole operation, or one of its query parameters. */
function markDeprecated(documentPaths: Record<string, Record<string, DocumentedOperation>>): void {
  for (const deprecation of DEPRECATIONS) {
    const operation = documentPaths[deprecation.path]?.[deprecation.method.toLowerCase()];
    if (!operation)
      throw new Error(
        `DEPRECATIONS names ${deprecation.method} ${deprecation.path}, which is not in the API`,
      );
    if (deprecation.parameter === undefined) operation.deprecated = true;
    else {
      const parameter = operation.parameters?.find(
        (p) => p.in === 'query' && p.name === deprecation.parameter,
      );
      if (!parameter) throw new Error(`DEPRECATIONS names an unknown parameter ${deprecation.parameter}`);
      parameter.deprecated = true;
    }
  }
}

registry.registerComponent('headers', 'Location', {
  description: 'De URL van de nieuwe resource.',
  schema: { type: 'string', format: 'uri' },
});
registry.registerComponent('securitySchemes', 'apiKey', {
  type: 'apiKey',
  in: 'header',
  name: 'X-Api-Key',
  description:
    'Een API-sleutel van uw inkooporganisatie (aan te maken op /inkoop/api-sleutels); ook te sturen als `Authorization: Bearer <sleutel>`. Alleen voor de webhook-abonnementen.',
});

registry.register('WebhookGebeurtenis', WebhookGebeurtenis);

/** The operations of a buyer organisation's webhook subscriptions: with its API key, no CORS. */
const withKey = { security: [{ apiKey: [] }], tags: ['Webhooks'] };
const keyedOk = (description: string, schema: ZodType): ResponseConfig => ({
  description,
  headers: versionHeader,
  content: { 'application/json': { schema } },
});

operation({
  ...withKey,
  method: 'get',
  path: '/webhook-abonnementen',
  operationId: 'getWebhookAbonnementen',
  summary: 'De webhook-abonnementen van uw organisatie',
  description:
    'Alle webhook-abonnementen van de organisatie van de API-sleutel, nieuwste eerst, zonder hun geheim.',
  responses: {
    '200': keyedOk('De abonnementen.', WebhookAbonnementen),
    ...errors(401, 429, 500, 503),
  },
});

operation({
  ...withKey,
  method: 'post',
  path: '/webhook-abonnementen',
  operationId: 'maakWebhookAbonnement',
  summary: 'Een webhook-abonnement maken',
  description:
    'Maakt een abonnement: het register stuurt elke gebeurtenis over een leverancier op de volglijsten van uw organisatie (of op één volglijst) als `WebhookGebeurtenis` naar `url`. Het antwoord bevat eenmalig het geheim om handtekeningen mee te controleren. Het adres moet https zijn, zonder gebruikersnaam of wachtwoord, en naar een openbaar adres wijzen; het register controleert dat bij het opslaan en bij elke aflevering opnieuw.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: WebhookAbonnementVerzoek,
          example: {
            url: 'https://inkoop.example.nl/webhooks/hostingregister',
            omschrijving: 'Contractbeheer',
          },
        },
      },
    },
  },
  callbacks: {
    melding: {
      '{$request.body#/url}': {
        post: {
          operationId: 'ontvangMelding',
          summary: 'Een melding aan uw ontvanger',
          description:
            'Zo stuurt het register elke gebeurtenis naar het adres van het abonnement. Controleer de handtekening met het geheim (bijvoorbeeld met de bibliotheek standardwebhooks) en lees de body als CloudEvent.',
          requestBody: {
            required: true,
            content: {
              'application/cloudevents+json': { schema: componentRef('schemas', 'WebhookGebeurtenis') },
            },
          },
          responses: {
            // The linters ask a 2xx with API-Version of every operation, this callback's too: optional for a receiver.
            '200': { description: 'Ontvangen: elke 2xx telt als afgeleverd.', headers: versionHeader },
            '400': {
              description:
                'Elke 2xx telt als afgeleverd; elk ander antwoord (zoals deze 400, ook een doorverwijzing), of geen antwoord binnen 5 seconden, is een mislukte poging.',
            },
          },
        },
      },
    },
  },
  responses: {
    '201': {
      description: 'Het nieuwe abonnement, met zijn geheim (alleen nu).',
      headers: { ...versionHeader, Location: componentRef('headers', 'Location') },
      content: { 'application/json': { schema: NieuwWebhookAbonnement } },
    },
    ...errors(400, 401, 405, 413, 415, 429, 500, 503),
  },
});

operation({
  ...withKey,
  method: 'get',
  path: '/webhook-abonnementen/{id}',
  operationId: 'getWebhookAbonnement',
  summary: 'Eén webhook-abonnement',
  description:
    'Een abonnement van uw organisatie; een abonnement van een andere organisatie bestaat voor u niet (404).',
  request: { params: WebhookAbonnementPath },
  responses: {
    '200': keyedOk('Het abonnement.', WebhookAbonnement),
    ...errors(400, 401, 404, 429, 500, 503),
  },
});

operation({
  ...withKey,
  method: 'patch',
  path: '/webhook-abonnementen/{id}',
  operationId: 'wijzigWebhookAbonnement',
  summary: 'Een uitgeschakeld webhook-abonnement weer aanzetten',
  description:
    'Met `{"actief": true}` zet u een abonnement dat het register uitschakelde weer aan; wachtende meldingen worden dan direct opnieuw verstuurd.',
  request: {
    params: WebhookAbonnementPath,
    body: { required: true, content: { 'application/json': { schema: WebhookAbonnementWijziging } } },
  },
  responses: {
    '200': keyedOk('Het abonnement.', WebhookAbonnement),
    ...errors(400, 401, 404, 405, 413, 415, 429, 500, 503),
  },
});

operation({
  ...withKey,
  method: 'delete',
  path: '/webhook-abonnementen/{id}',
  operationId: 'verwijderWebhookAbonnement',
  summary: 'Een webhook-abonnement verwijderen',
  description:
    'Verwijdert het abonnement met zijn afleverlogboek; er gaan geen meldingen meer naar zijn adres.',
  request: { params: WebhookAbonnementPath },
  responses: {
    '204': { description: 'Verwijderd.', headers: versionHeader },
    ...errors(400, 401, 404, 429, 500, 503),
  },
});

operation({
  ...withKey,
  method: 'get',
  path: '/webhook-abonnementen/{id}/afleveringen',
  operationId: 'getWebhookAfleveringen',
  summary: 'Het afleverlogboek van een webhook-abonnement',
  description: 'De laatste 50 afleverpogingen, nieuwste eerst: tijd, HTTP-status, duur en fout.',
  request: { params: WebhookAbonnementPath },
  responses: {
    '200': keyedOk('De afleverpogingen.', WebhookAfleveringen),
    ...errors(400, 401, 404, 429, 500, 503),
  },
});

registry.registerComponent('securitySchemes', 'signaalSleutel', {
  type: 'apiKey',
  in: 'header',
  name: 'X-Api-Key',
  description:
    'Een API-sleutel van uw organisatie als signaalleverancier (aan te maken op /signalen/api-sleutels); ook te sturen als `Authorization: Bearer <sleutel>`. Alleen voor de signalen.',
});

/** The operations of a signal supplier's signals (issue 19): with its own API key, no CORS. */
const withSignalKey = { security: [{ signaalSleutel: [] }], tags: ['Signalen'] };

operation({
  ...withSignalKey,
  method: 'get',
  path: '/signalen',
  operationId: 'getSignalen',
  summary: 'De signalen van uw organisatie',
  description:
    'De signalen van de organisatie van de API-sleutel, nieuwste eerst, 50 per pagina, zonder hun inhoud, met per signaal de cijfers: hoeveel aanbieders een overeenkomst hadden en wat zij deden. Een aantal onder de drempel (3) staat er als `minderDan`.',
  request: { query: SignalenQuery },
  responses: {
    '200': keyedOk('De signalen.', Signalen),
    ...errors(400, 401, 403, 429, 500, 503),
  },
});

operation({
  ...withSignalKey,
  method: 'post',
  path: '/signalen',
  operationId: 'maakSignaal',
  summary: 'Een signaal geven',
  description:
    'Legt een signaal over een wederverkoper vast en legt het naast de wederverkopers die aanbieders opgaven. Kenmerken en toelichting worden versleuteld bewaard; het antwoord herhaalt ze niet. Een kenmerk dat niet klopt, staat in `invalidParams` met zijn plaats in de lijst (`domeinen[1]`, vanaf 0).',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: SignaalVerzoek,
          example: { domeinen: ['voorbeeld.example'], categorie: 'phishing', betrouwbaarheid: 'high' },
        },
      },
    },
  },
  responses: {
    '201': {
      description: 'Het signaal is vastgelegd.',
      headers: { ...versionHeader, Location: componentRef('headers', 'Location') },
      content: { 'application/json': { schema: NieuwSignaal } },
    },
    ...errors(400, 401, 403, 405, 413, 415, 429, 500, 503),
  },
});

operation({
  ...withSignalKey,
  method: 'get',
  path: '/signalen/{id}',
  operationId: 'getSignaal',
  summary: 'Eén signaal met zijn inhoud',
  description:
    'Een signaal van uw organisatie met zijn kenmerken, toelichting en cijfers; elke keer dat u het opvraagt, wordt vastgelegd. Een signaal van een andere organisatie bestaat voor u niet (404).',
  request: { params: SignaalPath },
  responses: {
    '200': keyedOk('Het signaal.', Signaal),
    ...errors(400, 401, 403, 404, 429, 500, 503),
  },
});

operation({
  ...withSignalKey,
  method: 'delete',
  path: '/signalen/{id}',
  operationId: 'trekSignaalIn',
  summary: 'Een signaal intrekken',
  description:
    'Trekt het signaal in: het telt niet meer en aanbieders zien het niet meer als geldig. Nog eens intrekken verandert niets.',
  request: { params: SignaalPath },
  responses: {
    '204': { description: 'Ingetrokken.', headers: versionHeader },
    ...errors(400, 401, 403, 404, 405, 429, 500, 503),
  },
});

function generateDocument(publicBaseUrl: string) {
  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
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
    // Open to all but the webhook subscriptions, which ask a key of their own (Redocly's
    // security-defined wants this said).
    security: [],
    tags: [
      { name: 'Hostingproviders', description: 'Zoeken en opvragen van hostingproviders en hun status' },
      { name: 'Statuswijzigingen', description: 'Bijhouden wat er in het register veranderde' },
      { name: 'Controles', description: 'Een hele leverancierslijst controleren op een peildatum' },
      { name: 'Verklaringen', description: 'Verklaringen verantwoorde hostingprovider controleren' },
      { name: 'Webhooks', description: 'Meldingen over leveranciers op uw volglijsten, met een API-sleutel' },
      {
        name: 'Signalen',
        description: 'Signalen over kwaadwillende wederverkopers geven, met een API-sleutel',
      },
      { name: 'Documentatie', description: 'Dit document' },
    ],
  });
  inlineParameterSchemas(document.components as Record<string, Record<string, unknown> | undefined>);
  markDeprecated(document.paths as Record<string, Record<string, DocumentedOperation>>);
  return document;
}

export type OpenApiDocument = ReturnType<typeof generateDocument>;

const documents = new Map<string, OpenApiDocument>();
/** The document as served from `publicBaseUrl`; generated once (tens of milliseconds), then copied. */
export function openApiDocument(publicBaseUrl: string): OpenApiDocument {
  let document = documents.get(publicBaseUrl);
  if (!document) {
    document = generateDocument(publicBaseUrl);
    documents.set(publicBaseUrl, document);
  }
  return structuredClone(document);
}
