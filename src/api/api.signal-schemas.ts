import { MATCH_ACTIONS, SIGNAL_CATEGORIES, SIGNAL_CONFIDENCES } from '../signals/signal-terms';
import { pagina } from './api.params';
import { z } from './api.registry';

const link = (description: string) =>
  z.object({ href: z.url().openapi({ description: 'Een absolute URL.' }) }).openapi({ description });

const CATEGORIES = SIGNAL_CATEGORIES;
const CONFIDENCES = SIGNAL_CONFIDENCES;
const ACTIONS = MATCH_ACTIONS;

const datum = (description: string) => z.iso.date().openapi({ description, example: '2026-11-30' });

/** A figure: the number, or only that it is below the threshold. */
const Cijfer = z
  .object({
    aantal: z.int().optional().openapi({ description: 'Het aantal, als het de drempel haalt.' }),
    minderDan: z
      .int()
      .optional()
      .openapi({ description: 'De drempel, als het aantal eronder ligt (nul ook).' }),
  })
  .openapi('SignaalCijfer', {
    description: 'Een aantal aanbieders, of alleen dat het onder de drempel ligt.',
  });

const Cijfers = z
  .object({
    aanbiedersMetOvereenkomst: Cijfer,
    aanbiedersMetAntwoord: Cijfer,
    perActie: z.object(Object.fromEntries(ACTIONS.map((a) => [a, Cijfer]))).openapi({
      description: 'Per actie het aantal aanbieders wier geldende antwoord die actie is.',
    }),
    mediaanDagenTotAntwoord: z.number().nullable().openapi({
      description: 'De mediaan van de dagen van overeenkomst tot eerste antwoord; null onder de drempel.',
    }),
    gedeeld: z
      .array(
        z.object({
          aanbieder: z
            .string()
            .openapi({ description: 'De naam van de aanbieder die deze overeenkomst deelde.' }),
          referentie: z
            .string()
            .openapi({ description: 'De eigen referentie van de aanbieder voor de klant.' }),
          actie: z.enum(ACTIONS).nullable().openapi({ description: 'Het geldende antwoord, of null.' }),
          toelichting: z.string().openapi({ description: 'De toelichting bij dat antwoord.' }),
        }),
      )
      .openapi({ description: 'De overeenkomsten die aanbieders met u deelden.' }),
  })
  .openapi('SignaalCijfers', { description: 'Wat aanbieders met het signaal deden, alleen als totalen.' });

const signalShape = () => ({
  id: z.uuid().openapi({ description: 'De id van het signaal.' }),
  nummer: z.string().openapi({
    description:
      'Het nummer van het signaal, geteld per signaalleverancier: het eerste signaal van uw organisatie is SIG-000001.',
    example: 'SIG-000123',
  }),
  categorie: z.enum(CATEGORIES).openapi({ description: 'De categorie.' }),
  betrouwbaarheid: z.enum(CONFIDENCES).openapi({ description: 'De betrouwbaarheid.' }),
  datum: datum('De datum van het signaal.'),
  verloopdatum: datum('De laatste dag dat het signaal telt.'),
  status: z
    .enum(['current', 'expired', 'withdrawn'])
    .openapi({ description: 'Geldig, verlopen of ingetrokken.' }),
  bron: z.enum(['form', 'spreadsheet', 'api']).openapi({ description: 'Hoe het signaal binnenkwam.' }),
  aangemaaktOp: z.iso.datetime().openapi({ description: 'Wanneer het signaal is vastgelegd (UTC).' }),
  links: z.object({ self: link('Dit signaal.') }),
});

const content = {
  kvkNummers: z.array(z.string()).openapi({ description: 'KvK-nummers van de wederverkoper.' }),
  namen: z.array(z.string()).openapi({ description: 'Statutaire namen en handelsnamen.' }),
  domeinen: z.array(z.string()).openapi({ description: 'Domeinnamen (een domein omvat zijn subdomeinen).' }),
  maildomeinen: z.array(z.string()).openapi({ description: 'E-maildomeinen.' }),
  ipBereiken: z.array(z.string()).openapi({ description: 'IP-bereiken in CIDR-notatie.' }),
  asNummers: z.array(z.int()).openapi({ description: 'AS-nummers.' }),
  toelichting: z.string().openapi({ description: 'De toelichting.' }),
};

export const Signaal = z
  .object({ ...signalShape(), ...content, cijfers: Cijfers })
  .openapi('Signaal', { description: 'Een signaal van uw organisatie met zijn inhoud en zijn cijfers.' });

export const NieuwSignaal = z
  .object(signalShape())
  .openapi('NieuwSignaal', { description: 'Het vastgelegde signaal, zonder zijn inhoud.' });

export const Signalen = z
  .object({
    signalen: z.array(z.object({ ...signalShape(), cijfers: Cijfers })),
    totaal: z.int().openapi({ description: 'Het aantal signalen van uw organisatie.' }),
    links: z.object({
      self: link('Deze pagina.'),
      prev: link('De vorige pagina.').optional(),
      next: link('De volgende pagina.').optional(),
    }),
  })
  .openapi('Signalen', { description: 'Een pagina met de signalen van uw organisatie, nieuwste eerst.' });

const list = (description: string, example: (string | number)[]) =>
  z
    .array(z.string())
    .max(1000)
    .optional()
    .openapi({ description, example: example.map(String) });

export const SignaalVerzoek = z
  .object({
    kvkNummers: list('KvK-nummers van de wederverkoper.', ['12345678']),
    namen: list('Statutaire namen en handelsnamen.', ['Voorbeeld Hosting B.V.']),
    domeinen: list('Domeinnamen.', ['voorbeeld.example']),
    maildomeinen: list('E-maildomeinen of -adressen.', ['@voorbeeld.example']),
    ipBereiken: list('IP-adressen of -bereiken in CIDR-notatie.', ['192.0.2.0/24']),
    asNummers: list('AS-nummers, ook als getal.', ['AS64496']),
    categorie: z.enum(CATEGORIES).openapi({ description: 'De categorie.' }),
    betrouwbaarheid: z.enum(CONFIDENCES).openapi({ description: 'De betrouwbaarheid.' }),
    datum: datum('De datum van het signaal; weglaten: vandaag.').optional(),
    verloopdatum: datum(
      'De laatste dag dat het signaal telt; weglaten: een jaar na de datum, hoogstens twee jaar.',
    ).optional(),
    toelichting: z
      .string()
      .max(2000)
      .optional()
      .openapi({ description: 'Vrije tekst, hoogstens 2000 tekens.' }),
  })
  .strict()
  .openapi('SignaalVerzoek', {
    description: 'Een nieuw signaal: minstens één kenmerk, een categorie en een betrouwbaarheid.',
  });

export const SignaalPath = z.object({
  id: z.uuid().openapi({ description: 'De id van het signaal.', param: { name: 'id', in: 'path' } }),
});

/** The query of GET /signalen: the page only, read as the register search reads its page. */
export const SignalenQuery = z.strictObject({ pagina }, { error: 'api.invalid.unknownParameter' });
