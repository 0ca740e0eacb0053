/**
 * The examples of the API's answers, shown on the documentation page and (all but the provider's)
 * in the OpenAPI document. The tests validate every one against its schema.
 */

export const EXAMPLE_API = 'https://register.example/api/v1';
export const EXAMPLE_KVK = '99990001';

export const exampleProvider = {
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
    aanDeelnameSinds: '2026-01-01',
    aanDeelnameTot: null,
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

export const exampleList = {
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

export const exampleChanges = {
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
      aanDeelnameSinds: '2026-01-01',
    },
  ],
  links: {
    self: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}/statuswijzigingen` },
    hostingprovider: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}` },
  },
};

export const exampleChangeFeed = {
  statuswijzigingen: [
    {
      volgnummer: 43,
      kvkNummer: EXAMPLE_KVK,
      naam: 'Polderwolk Hosting B.V.',
      soort: 'suspended',
      omschrijving: 'Geschorst',
      van: { code: 'verantwoord', verantwoord: true, omschrijving: 'Verantwoord' },
      naar: { code: 'suspended', verantwoord: false, omschrijving: 'Niet verantwoord: geschorst' },
      toelichting: 'Abuse-meldingen over phishing bleven langer open dan de afgesproken termijn.',
      ingangsmoment: '2026-06-01T08:00:00.000Z',
      registratiemoment: '2026-06-01T08:02:11.000Z',
      links: {
        hostingprovider: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}` },
        statuswijzigingen: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}/statuswijzigingen` },
        webpagina: { href: `https://register.example/hostingproviders/${EXAMPLE_KVK}` },
      },
    },
  ],
  meer: false,
  links: {
    self: { href: `${EXAMPLE_API}/statuswijzigingen?vanaf=c3cxOjQy` },
    next: { href: `${EXAMPLE_API}/statuswijzigingen?vanaf=c3cxOjQz` },
  },
};

export const exampleCheck = {
  peildatum: '2026-06-30',
  peilmoment: '2026-06-30T21:59:59.999Z',
  aantallen: { verantwoord: 1, nietVerantwoord: 0, onbekend: 1, ongeldig: 1, dubbel: 0 },
  resultaten: [
    {
      positie: 1,
      kvkNummer: `KvK ${EXAMPLE_KVK.slice(0, 4)} ${EXAMPLE_KVK.slice(4)}`,
      gelezenAls: EXAMPLE_KVK,
      uitkomst: 'verantwoord',
      reden: null,
      naam: 'Polderwolk Hosting B.V.',
      dubbelVan: null,
      opmerking: null,
      hostingprovider: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}` },
    },
    {
      positie: 2,
      kvkNummer: '12121212',
      gelezenAls: '12121212',
      uitkomst: 'onbekend',
      reden: null,
      naam: null,
      dubbelVan: null,
      opmerking: null,
      hostingprovider: null,
    },
    {
      positie: 3,
      kvkNummer: '1234567',
      gelezenAls: '01234567',
      uitkomst: 'ongeldig',
      reden: null,
      naam: null,
      dubbelVan: null,
      opmerking: {
        code: 'voorloopnul_weggevallen',
        tekst:
          'waarschijnlijk is de voorloopnul weggevallen: bedoelt u 01234567? Dat nummer staat niet in het register',
      },
      hostingprovider: null,
    },
  ],
};

export const exampleAttestation = {
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
  transparantielog: {
    opgenomen: true,
    reden: null,
    bladnummer: 1234,
    melding: 'De afgifte is blad 1234 van het transparantielog; het checkpoint dekt de eerste 1300 bladen.',
    boomgrootte: 1300,
    ondertekendOp: '2026-10-01T08:30:30.000Z',
    checkpoint:
      'register.example/transparantie\n1300\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n\n\u2014 register.example/transparantie siH9/tMNxKgu+bXG7aIJJD7pZMAhj+VDPrgm3zs/IdbQGZg6YfMet8EWU84c5TiEdKmjlqj57ozlWmqccTv0OEUWcgw=\n',
    inclusiebewijs: [
      'ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=',
      'PiPoFgA5WUoziU9lZOGxNIu9egCI1CxKy3PurtWcAJ0=',
    ],
  },
  links: {
    self: { href: `${EXAMPLE_API}/verklaringen/VHP-2026-000042` },
    pdf: { href: 'https://register.example/verificatie/VHP-2026-000042/pdf' },
    verificatiepagina: { href: 'https://register.example/verificatie/VHP-2026-000042' },
    hostingprovider: { href: `${EXAMPLE_API}/hostingproviders/${EXAMPLE_KVK}` },
    bewijs: { href: 'https://register.example/verificatie/VHP-2026-000042/bewijs' },
    transparantielog: { href: 'https://register.example/transparantie' },
  },
};

export const exampleProblem = {
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

/**
 * The examples of the answers, on their schemas rather than under `paths`: the draft ruleset's check
 * for a documented 400 reads every key under `paths` that contains "post" as an operation, an
 * example's `postcode` included.
 */
export const API_EXAMPLES: Record<string, unknown> = {
  HostingproviderLijst: exampleList,
  Hostingprovider: exampleProvider,
  Statuswijzigingen: exampleChanges,
  StatuswijzigingenFeed: exampleChangeFeed,
  Controle: exampleCheck,
  Verklaring: exampleAttestation,
};
