import { STATUS_FILTERS } from '../register/search.service';
import { REASON_CODES, STATUS_EVENT_KINDS } from '../status/status-rules';
import { MISSING_FROM_LOG } from '../transparency/attestation-proof';
import {
  exampleAttestation,
  exampleChangeFeed,
  exampleChanges,
  exampleCheck,
  exampleList,
} from './api.examples';
import { z } from './api.registry';

/**
 * The answers of /api/v1 as zod schemas: the one source of the OpenAPI document's components and
 * of the types the representations (api.representation.ts) return. Property names are Dutch, as
 * the NL API Design Rules ask. The examples sit on the schemas rather than under `paths`: the draft
 * ruleset's check for a documented 400 reads every key under `paths` that contains "post" as an
 * operation, an example's `postcode` included (so the provider's example stays out of the document).
 */

export const KVK_PATTERN = /^[0-9]{8}$/;
export const ATTESTATION_NUMBER_PATTERN = /^VHP-[0-9]{4}-[0-9]{6}$/;

const dateTime = (description: string) => z.iso.datetime().openapi({ description });
const optionalDateTime = (description: string) => z.iso.datetime().nullable().openapi({ description });
/** A calendar date on the Dutch calendar (YYYY-MM-DD): a day, not an instant that reads as the day before in UTC. */
const calendarDate = (description: string) => z.iso.date().openapi({ description });
const optionalCalendarDate = (description: string) => z.iso.date().nullable().openapi({ description });
const link = (description: string) =>
  z.object({ href: z.url().openapi({ description: 'Een absolute URL.' }) }).openapi({ description });
const kvkNummer = () => z.string().regex(KVK_PATTERN);
const attestationNumber = () => z.string().regex(ATTESTATION_NUMBER_PATTERN);
/** Why a provider is not verantwoord (every status code but `verantwoord`), or null. */
export const Reden = z.enum(REASON_CODES).nullable();

export const StatusCode = z.enum(STATUS_FILTERS).openapi('StatusCode', {
  description:
    '`verantwoord`, of de reden waarom niet: `not_listed` (geen goedgekeurde aanvraag), `application_pending` (aanvraag in behandeling), `rejected` (aanvraag afgewezen), `expired` (vermelding verlopen), `suspended` (geschorst), `revoked` (ingetrokken), `code_of_conduct_outdated` (ondertekende gedragscode niet meer geldig), `aan_participation_ended` (AAN-deelname beëindigd). Bij meerdere redenen tegelijk telt de eerste in deze volgorde: ingetrokken, verlopen, geschorst, gedragscode, AAN.',
});

export const StatusSamenvatting = z
  .object({
    code: StatusCode,
    verantwoord: z.boolean().openapi({ description: 'Of de hostingprovider nu verantwoord is.' }),
    omschrijving: z.string().openapi({ description: 'De status in woorden.' }),
    sinds: optionalDateTime('Sinds wanneer deze status geldt, als dat bekend is.'),
    geldigTot: optionalDateTime('Het einde van de vermelding, als er een is.'),
  })
  .openapi('StatusSamenvatting');

export const HostingproviderSamenvatting = z
  .object({
    kvkNummer: kvkNummer().openapi({ description: 'Het KvK-nummer.' }),
    naam: z.string().openapi({ description: 'De statutaire naam.' }),
    handelsnamen: z.array(z.string()).openapi({ description: 'De handelsnamen.' }),
    vestigingsplaats: z.string().openapi({ description: 'De plaats van het adres.' }),
    website: z.string().nullable().openapi({ description: 'De website, als die is opgegeven.' }),
    status: StatusSamenvatting,
    links: z.object({ self: link('Deze hostingprovider in de API.') }),
  })
  .openapi('HostingproviderSamenvatting');

export const Paginering = z
  .object({
    pagina: z.int().min(1).openapi({ description: 'Deze pagina.' }),
    paginaGrootte: z.int().min(1).openapi({ description: 'Hoeveel resultaten per pagina.' }),
    aantalPaginas: z.int().min(1).openapi({ description: 'Het aantal pagina’s (minstens 1).' }),
    totaal: z.int().min(0).openapi({ description: 'Het aantal gevonden hostingproviders.' }),
    meerDanTotaal: z.boolean().optional().openapi({
      description:
        'Alleen bij een zoekterm met heel veel treffers (zoals de eerste cijfers van een KvK-nummer): er zijn meer dan `totaal` gevonden, en verder is niet geteld. `aantalPaginas` is dan een ondergrens en `last` de laatste pagina die zeker bestaat; volg `next` zolang er een is. De laatste pagina geeft het precieze `totaal` (zonder `meerDanTotaal`), een pagina voorbij het einde is leeg met het precieze `aantalPaginas`.',
    }),
  })
  .openapi('Paginering');

export const PaginaLinks = z
  .object({
    self: link('Deze pagina.'),
    first: link('De eerste pagina.'),
    last: link('De laatste pagina.'),
    prev: link('De vorige pagina, behalve op de eerste.').optional(),
    next: link('De volgende pagina, behalve op de laatste.').optional(),
  })
  .openapi('PaginaLinks');

export const HostingproviderLijst = z
  .object({
    hostingproviders: z.array(HostingproviderSamenvatting),
    paginering: Paginering,
    links: PaginaLinks,
  })
  .openapi('HostingproviderLijst', { example: exampleList });

export const Adres = z
  .object({ straatEnHuisnummer: z.string(), postcode: z.string(), plaats: z.string() })
  .openapi('Adres');

export const Status = z
  .object({
    peildatum: z.iso
      .date()
      .optional()
      .openapi({ description: 'De gevraagde peildatum; alleen als die gevraagd is.' }),
    peilmoment: dateTime('Het moment waarop deze status geldt (einde van de peildatum, of nu).'),
    verantwoord: z
      .boolean()
      .openapi({ description: 'Of de hostingprovider op het peilmoment verantwoord is.' }),
    code: StatusCode,
    omschrijving: z.string().openapi({ description: 'De status in woorden.' }),
    uitleg: z.string().openapi({ description: 'Wat deze status betekent.' }),
    toelichting: z.string().nullable().openapi({
      description:
        'De toelichting van de beoordelaar bij de wijziging die tot deze reden leidde, als die er is.',
    }),
    sinds: optionalDateTime('Sinds wanneer deze status geldt, als dat bekend is.'),
    tot: optionalCalendarDate(
      'Het geplande einde van een schorsing, als dat er is: de eerste dag (Nederlandse kalender) waarop zij niet meer geldt.',
    ),
    gewijzigdOpPeildatum: z.boolean().optional().openapi({
      description:
        'Alleen met peildatum: of het antwoord (verantwoord, of de reden) in de loop van die dag anders was dan bij het begin ervan; een gebeurtenis die het antwoord niet verandert telt niet.',
    }),
    voorEersteStatuswijziging: z.boolean().optional().openapi({
      description:
        'Alleen met peildatum: of de peildatum vóór de eerste vastgelegde statuswijziging ligt (het register wist toen nog niets van deze hostingprovider).',
    }),
  })
  .openapi('Status');

export const Vermelding = z
  .object({
    goedgekeurdOp: dateTime('Het moment van goedkeuring: het begin van de vermelding.'),
    geldigTot: dateTime('Het einde van de vermelding (niet meer inbegrepen).'),
    gedragscodeVersie: z
      .string()
      .nullable()
      .openapi({ description: 'De versie van de gedragscode die ondertekend is.' }),
    aanDeelnameSinds: calendarDate(
      'Deelname aan het Anti Abuse Netwerk sinds deze dag (Nederlandse kalender).',
    ),
    aanDeelnameTot: optionalCalendarDate(
      'Het geplande einde van de AAN-deelname: de eerste dag zonder deelname (Nederlandse kalender), als de AAN-deelnemerslijst een einde na het peilmoment noemt; anders null. Vanaf het begin van die dag is de hostingprovider niet meer verantwoord (reden `aan_participation_ended`), tenzij een latere lijst de deelname hervat.',
    ),
  })
  .nullable()
  .openapi('Vermelding', { description: 'De goedgekeurde vermelding waarop de status rust, of null.' });

export const VerklaringStatus = z
  .enum(['valid', 'suspended', 'revoked', 'expired'])
  .openapi('VerklaringStatus', {
    description:
      '`valid` (geldig), `suspended` (geschorst), `revoked` (ingetrokken: de hostingprovider verloor zijn status) of `expired` (verlopen).',
  });

export const VerklaringSamenvatting = z
  .object({
    nummer: attestationNumber(),
    status: VerklaringStatus,
    afgegevenOp: dateTime('Het moment van afgifte.'),
    geldigTot: dateTime('Het einde van de geldigheid.'),
    links: z.object({
      self: link('Het verificatie-antwoord.'),
      pdf: link('De pdf, precies zoals afgegeven.'),
    }),
  })
  .openapi('VerklaringSamenvatting');

export const Hostingprovider = z
  .object({
    kvkNummer: kvkNummer(),
    naam: z.string().openapi({ description: 'De statutaire naam.' }),
    handelsnamen: z.array(z.string()),
    btwNummer: z.string().nullable().openapi({ description: 'Het btw-id, als het is opgegeven.' }),
    adres: Adres,
    website: z.string().nullable(),
    abuseEmailadres: z.string().openapi({ description: 'Waar misbruik gemeld kan worden.' }),
    asNummers: z.array(z.int()).openapi({ description: 'De AS-nummers van het netwerk.' }),
    status: Status,
    vermelding: Vermelding,
    verklaringen: z.array(VerklaringSamenvatting).openapi({
      description:
        'De verklaringen die tot het peilmoment zijn afgegeven, nieuwste eerst, met hun status op het peilmoment.',
    }),
    links: z.object({
      self: link('Deze resource.'),
      statuswijzigingen: link('De statusgeschiedenis.'),
      webpagina: link('De pagina van deze hostingprovider in het register.'),
    }),
  })
  .openapi('Hostingprovider');

export const Transparantielogbewijs = z
  .object({
    opgenomen: z.boolean().openapi({
      description:
        'Of een ondertekend checkpoint de afgifte al bevat. Vlak na de afgifte nog niet: dan zijn `boomgrootte`, `ondertekendOp`, `checkpoint` en `inclusiebewijs` null. Ook niet als het log de afgifte helemaal niet bevat: dan zegt `reden` waarom.',
    }),
    reden: z.enum(MISSING_FROM_LOG).nullable().openapi({
      description:
        'Null, tenzij het transparantielog de afgifte niet bevat: `issue_event_missing` (geen auditgebeurtenis `attestation.issued` noemt deze verklaring) of `leaf_missing` (die gebeurtenis heeft geen blad in het log). Het register schrijft verklaring, gebeurtenis en blad in één transactie: zo’n verklaring is buiten het register om in de database gezet. Vertrouw haar niet zonder navraag bij het register.',
    }),
    bladnummer: z.int().min(0).nullable().openapi({
      description:
        'Het nummer (vanaf 0) van het blad van de afgifte (de auditgebeurtenis `attestation.issued`) in het transparantielog; null als het log de afgifte niet bevat (`reden`).',
    }),
    melding: z.string().openapi({
      description:
        'In woorden: in welk checkpoint de afgifte is opgenomen, binnen hoeveel seconden dat gebeurt, of de waarschuwing dat het log de afgifte niet bevat.',
    }),
    boomgrootte: z.int().min(1).nullable().openapi({ description: 'Het aantal bladen in het checkpoint.' }),
    ondertekendOp: optionalDateTime('Wanneer het checkpoint is ondertekend.'),
    checkpoint: z.string().nullable().openapi({
      description:
        'Het ondertekende checkpoint (C2SP tlog-checkpoint, een signed note met Ed25519-handtekening), letterlijk; te controleren met de sleutel van het log.',
    }),
    inclusiebewijs: z.array(z.base64()).nullable().openapi({
      description:
        'Het inclusiebewijs (RFC 9162 §2.1.3): de hashes (base64) van het blad naar de wortelhash van het checkpoint.',
    }),
  })
  .openapi('Transparantielogbewijs', {
    description:
      'Het bewijs dat de afgifte van de verklaring in het openbare transparantielog van het register staat.',
  });

export const Verklaring = z
  .object({
    nummer: attestationNumber(),
    status: VerklaringStatus,
    omschrijving: z.string().openapi({ description: 'De status in woorden.' }),
    uitleg: z.string().openapi({ description: 'Wat deze status betekent.' }),
    sinds: optionalDateTime('Sinds wanneer de verklaring niet geldt (geschorst, ingetrokken, verlopen).'),
    tot: optionalCalendarDate(
      'Het geplande einde van een schorsing, als dat er is: de eerste dag (Nederlandse kalender) waarop zij niet meer geldt.',
    ),
    reden: Reden.openapi({
      description: 'Waarom de hostingprovider niet verantwoord was (redencode, zie StatusCode).',
    }),
    toelichting: z
      .string()
      .nullable()
      .openapi({ description: 'De toelichting van de beoordelaar bij die wijziging, als die er is.' }),
    hostingprovider: z.object({ kvkNummer: kvkNummer(), naam: z.string() }),
    afgegevenOp: dateTime('Het moment van afgifte (ook het begin van de geldigheid).'),
    geldigTot: dateTime(
      'Het einde van de geldigheid: de eerste van het einde van de vermelding en 12 maanden na afgifte.',
    ),
    vingerafdruk: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .openapi({
        description:
          'SHA-256 van de gegevens van de verklaring (canoniek JSON, RFC 8785), zoals op de pdf gedrukt.',
      }),
    transparantielog: Transparantielogbewijs,
    links: z.object({
      self: link('Deze resource.'),
      pdf: link('De pdf, precies zoals afgegeven.'),
      verificatiepagina: link('De verificatiepagina (waar de QR-code naar wijst).'),
      hostingprovider: link('De hostingprovider in de API.'),
      bewijs: link(
        'Het bewijs van opname als één bestand (C2SP tlog-proof), om samen met de pdf en de sleutel van het log offline te controleren; alleen als `transparantielog.opgenomen` waar is.',
      ).optional(),
      transparantielog: link('De uitleg van het transparantielog, met zijn sleutel.'),
    }),
  })
  .openapi('Verklaring', { example: exampleAttestation });

export const Statuswijziging = z
  .object({
    volgnummer: z
      .int()
      .openapi({ description: 'Oplopend in de volgorde van vastleggen, over het hele register.' }),
    soort: z.enum(STATUS_EVENT_KINDS).openapi({ description: 'Wat er veranderde.' }),
    omschrijving: z.string().openapi({ description: 'De soort in woorden.' }),
    ingangsmoment: dateTime('Wanneer de wijziging ingaat.'),
    registratiemoment: dateTime('Wanneer het register de wijziging vastlegde.'),
    toelichting: z.string().nullable().openapi({ description: 'De toelichting van de beoordelaar.' }),
    geldigTot: optionalDateTime('Bij een goedkeuring: het einde van de vermelding.'),
    geschorstTot: optionalCalendarDate(
      'Bij een schorsing: het geplande einde, als dat er is: de eerste dag (Nederlandse kalender) zonder schorsing.',
    ),
    gedragscodeVersie: z
      .string()
      .nullable()
      .openapi({ description: 'Bij een goedkeuring: de ondertekende versie van de gedragscode.' }),
    aanDeelnameSinds: optionalCalendarDate(
      'Bij een goedkeuring: AAN-deelname sinds deze dag (Nederlandse kalender).',
    ),
  })
  .openapi('Statuswijziging');

export const Statuswijzigingen = z
  .object({
    kvkNummer: kvkNummer(),
    statuswijzigingen: z.array(Statuswijziging),
    links: z.object({ self: link('Deze resource.'), hostingprovider: link('De hostingprovider.') }),
  })
  .openapi('Statuswijzigingen', { example: exampleChanges });

const statusInWords = (description: string) =>
  z
    .object({
      code: StatusCode,
      verantwoord: z.boolean().openapi({ description: 'Of dit de status verantwoord is.' }),
      omschrijving: z.string().openapi({ description: 'De status in woorden.' }),
    })
    .openapi({ description });

export const StatuswijzigingInRegister = z
  .object({
    volgnummer: z.int().openapi({
      description:
        'Oplopend in de volgorde waarin wijzigingen vastgelegd (gecommit) zijn, over het hele register; niet aaneensluitend. Dezelfde als in de statusgeschiedenis van de hostingprovider.',
    }),
    kvkNummer: kvkNummer().openapi({ description: 'Het KvK-nummer van de hostingprovider.' }),
    naam: z.string().openapi({ description: 'De statutaire naam (zoals nu).' }),
    soort: z.enum(STATUS_EVENT_KINDS).openapi({
      description:
        'Wat er veranderde: een besluit (goedkeuring, schorsing, intrekking, …), of een wijziging die de tijd bracht en het register vastlegde: `listing_expired` (vermelding verlopen), `code_of_conduct_lapsed` (ondertekende gedragscode vervallen), `aan_participation_ended` (AAN-deelname beëindigd, uit de AAN-lijst).',
    }),
    omschrijving: z.string().openapi({ description: 'De soort in woorden.' }),
    van: statusInWords('De status vlak voordat de wijziging inging.'),
    naar: statusInWords(
      'De status vanaf het ingangsmoment, zoals het register het wist toen het de wijziging vastlegde. Kan gelijk zijn aan `van` (een verlengingsaanvraag terwijl de vermelding loopt).',
    ),
    toelichting: z
      .string()
      .nullable()
      .openapi({ description: 'De toelichting van de beoordelaar, als die er is.' }),
    ingangsmoment: dateTime(
      'Wanneer de wijziging ingaat (kan in de toekomst liggen, zoals een aangekondigd einde van AAN-deelname).',
    ),
    registratiemoment: dateTime('Wanneer het register de wijziging vastlegde.'),
    links: z.object({
      hostingprovider: link('De hostingprovider in de API.'),
      statuswijzigingen: link('De statusgeschiedenis van de hostingprovider.'),
      webpagina: link('De pagina van de hostingprovider in het register.'),
    }),
  })
  .openapi('StatuswijzigingInRegister');

export const StatuswijzigingenFeed = z
  .object({
    statuswijzigingen: z.array(StatuswijzigingInRegister).openapi({ description: 'Oudste eerst.' }),
    meer: z.boolean().openapi({
      description:
        'Of er na deze pagina nu al meer wijzigingen zijn: volg dan meteen `next`; anders later opnieuw.',
    }),
    links: z.object({
      self: link('Deze pagina.'),
      next: link(
        'De pagina na deze; er is er altijd een. Is `meer` onwaar, dan is die nu leeg en vult zij zich met wat er later vastgelegd wordt.',
      ),
    }),
  })
  .openapi('StatuswijzigingenFeed', { example: exampleChangeFeed });

const count = () => z.int().min(0);
export const Controle = z
  .object({
    peildatum: z.iso.date().openapi({ description: 'De peildatum.' }),
    peilmoment: dateTime('Het gecontroleerde moment: het einde van de peildatum, of nu als dat vandaag is.'),
    aantallen: z.object({
      verantwoord: count(),
      nietVerantwoord: count(),
      onbekend: count(),
      ongeldig: count(),
      dubbel: count(),
    }),
    resultaten: z.array(
      z
        .object({
          positie: z.int().min(1).openapi({ description: 'De plaats in de gegeven lijst, vanaf 1.' }),
          kvkNummer: z
            .string()
            .openapi({ description: 'Het nummer zoals gegeven (zonder spaties eromheen).' }),
          gelezenAls: z.string().regex(KVK_PATTERN).nullable().openapi({
            description:
              'Het KvK-nummer zoals het register het las: 8 cijfers, zonder spaties, punten, streepjes of ‘KvK’ ervoor; bij 7 cijfers met de weggevallen voorloopnul erbij. `null` als er geen KvK-nummer in te lezen is.',
          }),
          uitkomst: z.enum(['verantwoord', 'niet_verantwoord', 'onbekend', 'ongeldig', 'dubbel']),
          reden: Reden.openapi({ description: 'Bij `niet_verantwoord`: de redencode (zie StatusCode).' }),
          naam: z
            .string()
            .nullable()
            .openapi({ description: 'De naam, als het nummer in het register staat.' }),
          dubbelVan: z
            .int()
            .nullable()
            .openapi({ description: 'Bij `dubbel`: de positie waar dit nummer eerder stond.' }),
          opmerking: z
            .object({
              code: z.enum(['voorloopnul_aangevuld', 'voorloopnul_weggevallen']).openapi({
                description:
                  '`voorloopnul_aangevuld`: 7 cijfers, gecontroleerd als `gelezenAls` omdat dat nummer in het register staat. `voorloopnul_weggevallen`: 7 cijfers; `gelezenAls` staat niet in het register en de uitkomst is `ongeldig`.',
              }),
              tekst: z
                .string()
                .openapi({ description: 'De opmerking in woorden, in de taal van het antwoord.' }),
            })
            .nullable()
            .openapi({ description: 'Een opmerking over hoe het nummer gelezen is, of `null`.' }),
          hostingprovider: z
            .object({ href: z.url() })
            .nullable()
            .openapi({ description: 'De hostingprovider in de API, als het nummer in het register staat.' }),
        })
        .openapi('ControleResultaat'),
    ),
  })
  .openapi('Controle', { example: exampleCheck });

/** An error answer as RFC 9457 problem details, with `invalidParams` for a 400. */
export const Probleem = z
  .object({
    type: z.url().openapi({ description: 'Waar dit soort probleem beschreven staat.' }),
    title: z.string().openapi({ description: 'Het soort probleem, kort.' }),
    status: z.int().openapi({ description: 'De HTTP-statuscode.' }),
    detail: z.string().openapi({ description: 'Wat er mis is, voor mensen.' }),
    instance: z.string().openapi({ description: 'Het verzoek waar het om gaat (pad en query).' }),
    code: z.string().openapi({ description: 'Het soort probleem, voor programma’s.' }),
    invalidParams: z
      .array(
        z.object({
          name: z
            .string()
            .openapi({ description: 'De parameter of het veld, bijv. `peildatum` of `kvkNummers[3]`.' }),
          code: z.string().openapi({ description: 'Wat er mis is, voor programma’s.' }),
          reason: z.string().openapi({ description: 'Wat er mis is, voor mensen.' }),
        }),
      )
      .optional()
      .openapi({ description: 'Bij een 400: elke geweigerde parameter of elk geweigerd veld.' }),
  })
  .openapi('Probleem', { description: 'Een foutmelding volgens RFC 9457 (problem details).' });

export type StatusCode = z.infer<typeof StatusCode>;
export type HostingproviderSamenvatting = z.infer<typeof HostingproviderSamenvatting>;
export type HostingproviderLijst = z.infer<typeof HostingproviderLijst>;
export type PaginaLinks = z.infer<typeof PaginaLinks>;
export type Hostingprovider = z.infer<typeof Hostingprovider>;
export type Statuswijziging = z.infer<typeof Statuswijziging>;
export type Statuswijzigingen = z.infer<typeof Statuswijzigingen>;
export type StatuswijzigingInRegister = z.infer<typeof StatuswijzigingInRegister>;
export type StatuswijzigingenFeed = z.infer<typeof StatuswijzigingenFeed>;
export type Controle = z.infer<typeof Controle>;
export type Verklaring = z.infer<typeof Verklaring>;
export type Transparantielogbewijs = z.infer<typeof Transparantielogbewijs>;
export type Probleem = z.infer<typeof Probleem>;
