import { z } from './api.registry';
import { ATTESTATION_NUMBER_PATTERN, KVK_PATTERN, StatusCode, VerklaringStatus } from './api.schemas';

const link = (description: string) =>
  z.object({ href: z.url().openapi({ description: 'Een absolute URL.' }) }).openapi({ description });

const id = () => z.uuid().openapi({ description: 'De id van het webhook-abonnement.' });

/**
 * The fields of a subscription as the API answers it (its secret only in the answer to POST),
 * shared by both answers: one flat object each, so a closed schema reads either.
 */
const subscriptionShape = () => ({
  id: id(),
  url: z.url().openapi({ description: 'Waar het register de meldingen naartoe stuurt (POST).' }),
  volglijst: z.uuid().nullable().openapi({
    description: 'De volglijst waarover het abonnement meldt; null: alle volglijsten van de organisatie.',
  }),
  omschrijving: z.string().openapi({ description: 'Een eigen omschrijving, hoogstens 200 tekens.' }),
  actief: z.boolean().openapi({ description: 'Of het register naar dit adres stuurt.' }),
  aangemaaktOp: z.iso.datetime().openapi({ description: 'Wanneer het abonnement is gemaakt (UTC).' }),
  uitgeschakeldOp: z.iso
    .datetime()
    .nullable()
    .openapi({ description: 'Wanneer het register het abonnement uitschakelde, of null.' }),
  uitschakelreden: z.enum(['repeated_failures', 'delivery_given_up']).nullable().openapi({
    description:
      '`repeated_failures`: 10 mislukte pogingen op rij en een dag zonder geslaagde aflevering; `delivery_given_up`: een melding kon drie dagen lang niet worden afgeleverd.',
  }),
  opeenvolgendeMislukkingen: z
    .int()
    .openapi({ description: 'Mislukte pogingen sinds de laatste geslaagde.' }),
  links: z.object({ self: link('Dit abonnement.'), afleveringen: link('Het afleverlogboek.') }),
});

/** A webhook subscription as the API answers it. */
export const WebhookAbonnement = z
  .object(subscriptionShape())
  .openapi('WebhookAbonnement', { description: 'Een webhook-abonnement van uw organisatie.' });

export const NieuwWebhookAbonnement = z
  .object({
    ...subscriptionShape(),
    geheim: z.string().openapi({
      description:
        'Het geheim waarmee u de handtekening van elke melding controleert (Standard Webhooks: `whsec_` en base64). Alleen in dit antwoord: bewaar het.',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/1Kq5JVKHkA=',
    }),
  })
  .openapi('NieuwWebhookAbonnement', { description: 'Het nieuwe abonnement met zijn geheim (eenmalig).' });

export const WebhookAbonnementen = z
  .object({
    webhookAbonnementen: z.array(WebhookAbonnement),
    links: z.object({ self: link('Deze lijst.') }),
  })
  .openapi('WebhookAbonnementen', {
    description: 'De webhook-abonnementen van uw organisatie, nieuwste eerst.',
  });

export const WebhookAbonnementVerzoek = z
  .object({
    url: z.url().openapi({
      description:
        'Het adres van uw ontvanger: https, zonder gebruikersnaam of wachtwoord, op een openbaar adres (geen intern, lokaal of privé netwerkadres).',
      example: 'https://inkoop.example.nl/webhooks/hostingregister',
    }),
    volglijst: z
      .uuid()
      .nullable()
      .optional()
      .openapi({ description: 'Een volglijst van uw organisatie; weglaten of null: alle.' }),
    omschrijving: z.string().max(200).optional().openapi({ description: 'Een eigen omschrijving.' }),
  })
  .strict()
  .openapi('WebhookAbonnementVerzoek', { description: 'Een nieuw webhook-abonnement.' });

export const WebhookAbonnementWijziging = z
  .object({ actief: z.literal(true).openapi({ description: 'Zet een uitgeschakeld abonnement weer aan.' }) })
  .strict()
  .openapi('WebhookAbonnementWijziging', { description: 'Een uitgeschakeld abonnement weer aanzetten.' });

export const WebhookAfleveringen = z
  .object({
    afleveringen: z.array(
      z.object({
        aflevering: z
          .uuid()
          .openapi({ description: 'De aflevering: de header webhook-id, bij elke nieuwe poging dezelfde.' }),
        gebeurtenis: z.string().openapi({ description: 'Het volgnummer van de gebeurtenis.' }),
        pogingOp: z.iso.datetime().openapi({ description: 'Wanneer de poging begon.' }),
        duurMs: z.int().openapi({ description: 'Hoe lang de poging duurde, in milliseconden.' }),
        statuscode: z
          .int()
          .nullable()
          .openapi({ description: 'Het HTTP-antwoord van uw ontvanger, of null zonder antwoord.' }),
        fout: z.string().nullable().openapi({
          description:
            'Waarom de poging mislukte: een code (`http_status`: geen 2xx, zie `statuscode`; `redirect`: een doorverwijzing, die het register niet volgt; `timeout`; `refused_target`: geen openbaar adres; `network`: geen verbinding; `not_sent`), soms gevolgd door `: ` en een toelichting; null als zij slaagde.',
        }),
        afgeleverdOp: z.iso
          .datetime()
          .nullable()
          .openapi({ description: 'Wanneer de aflevering slaagde, of null.' }),
        opgegevenOp: z.iso
          .datetime()
          .nullable()
          .openapi({ description: 'Wanneer het register de aflevering opgaf, of null.' }),
        volgendePogingOp: z.iso.datetime().nullable().openapi({
          description:
            'Zolang de aflevering nog wacht (niet afgeleverd, niet opgegeven): wanneer het register het opnieuw probeert; anders null.',
        }),
      }),
    ),
    links: z.object({ self: link('Dit logboek.') }),
  })
  .openapi('WebhookAfleveringen', { description: 'De laatste 50 afleverpogingen, nieuwste eerst.' });

export const WebhookAbonnementPath = z.object({
  id: id().openapi({ param: { name: 'id', in: 'path' } }),
});

const kvkNummer = () =>
  z
    .string()
    .regex(KVK_PATTERN)
    .openapi({ description: 'Het KvK-nummer van de hostingprovider.', example: '12345678' });

/** What every event's `data` holds, whatever its type. */
const commonData = {
  kvkNummer: kvkNummer(),
  naam: z.string().openapi({ description: 'De statutaire naam van de hostingprovider.' }),
  plaatsgevondenOp: z.iso.datetime().openapi({ description: 'Wanneer het volgens de regels gebeurde.' }),
};
const providerLinks = {
  hostingprovider: link('De hostingprovider in deze API.'),
  statuswijzigingen: link('Zijn statusgeschiedenis in deze API.'),
  webpagina: link('Zijn pagina in het register.'),
};

const statusInWords = (description: string) =>
  z
    .object({
      code: StatusCode,
      verantwoord: z.boolean().openapi({ description: 'Of dit de status verantwoord is.' }),
      omschrijving: z.string().openapi({ description: 'De status in woorden (Nederlands).' }),
    })
    .openapi({ description });

/** The CloudEvent around a `data` schema: the same envelope for every type. */
const cloudEvent = <T extends string>(type: T, data: z.ZodType, name: string, description: string) =>
  z
    .object({
      specversion: z.literal('1.0'),
      id: z.string().openapi({
        description: 'Uniek per gebeurtenis (ook over bronnen heen); gelijk bij een nieuwe poging.',
      }),
      source: z.string().openapi({
        description: 'Het register: `urn:nld:oin:<OIN>:systeem:hostingregister`, of zijn URL.',
        example: 'urn:nld:oin:00000001234567890000:systeem:hostingregister',
      }),
      type: z.literal(type),
      subject: kvkNummer(),
      time: z.iso.datetime().openapi({ description: 'Wanneer het register de gebeurtenis vastlegde.' }),
      datacontenttype: z.literal('application/json'),
      dataref: z.url().openapi({ description: 'De hostingprovider in deze API.' }),
      sequence: z.string().openapi({ description: 'Het volgnummer van de gebeurtenis (oplopend).' }),
      sequencetype: z.literal('Integer'),
      data,
    })
    .openapi(name, { description });

export const WebhookStatusGewijzigd = cloudEvent(
  'nl.hostingregister.status-gewijzigd',
  z
    .object({
      ...commonData,
      van: statusInWords(
        'De status ervoor; null als het register de hostingprovider nog niet kende (de eerste status na zijn eerste besluit).',
      ).nullable(),
      naar: statusInWords('De status erna.'),
      toelichting: z.string().nullable().openapi({
        description: 'De openbare toelichting van de beoordelaar bij de wijziging, als die er is.',
      }),
      sinds: z.iso
        .datetime()
        .nullable()
        .openapi({ description: 'Sinds wanneer de nieuwe status geldt, als dat bekend is.' }),
      geldigTot: z.iso
        .datetime()
        .nullable()
        .openapi({ description: 'Het einde van de vermelding, als er een is.' }),
      links: z.object(providerLinks),
    })
    .openapi({ description: 'De status van de hostingprovider veranderde (zie StatusCode voor de codes).' }),
  'WebhookStatusGewijzigd',
  'De status van een gevolgde hostingprovider veranderde: schorsing, intrekking, verlopen, een vervallen gedragscode, einde van AAN-deelname, of weer verantwoord.',
);

export const WebhookVerklaringGewijzigd = cloudEvent(
  'nl.hostingregister.verklaring-gewijzigd',
  z
    .object({
      ...commonData,
      verklaring: z.object({
        nummer: z.string().regex(ATTESTATION_NUMBER_PATTERN).openapi({ example: 'VHP-2026-000042' }),
        van: VerklaringStatus.nullable().openapi({
          description: 'De status ervoor; null: de verklaring is net afgegeven.',
        }),
        naar: VerklaringStatus,
        sinds: z.iso.datetime().nullable().openapi({ description: 'Sinds wanneer de nieuwe status geldt.' }),
        geldigTot: z.iso.datetime().nullable().openapi({ description: 'Het einde van de geldigheid.' }),
      }),
      links: z.object({
        ...providerLinks,
        verklaring: link('Het verificatie-antwoord van de verklaring in deze API.'),
        verificatiepagina: link('De verificatiepagina van de verklaring.'),
      }),
    })
    .openapi({
      description: 'Een verklaring van de hostingprovider veranderde van status of werd afgegeven.',
    }),
  'WebhookVerklaringGewijzigd',
  'Een verklaring van een gevolgde hostingprovider werd afgegeven of veranderde van status (zie VerklaringStatus).',
);

export const WebhookVermeldingEindigtVoorContract = cloudEvent(
  'nl.hostingregister.vermelding-eindigt-voor-contract',
  z
    .object({
      ...commonData,
      geldigTot: z.iso.datetime().nullable().openapi({ description: 'Het einde van de vermelding.' }),
      contracteinde: z.iso.date().nullable().openapi({
        description: 'Het einde van het contract op de volglijst (Nederlandse kalender).',
      }),
      links: z.object(providerLinks),
    })
    .openapi({ description: 'De vermelding eindigt voor het einde van het contract.' }),
  'WebhookVermeldingEindigtVoorContract',
  'De vermelding van een gevolgde hostingprovider eindigt binnenkort, vóór het einde van het contract dat op de volglijst staat.',
);

/** The body of a delivery: a CloudEvent 1.0 in structured mode, NL GOV profile, one of three types. */
export const WebhookGebeurtenis = z
  .discriminatedUnion('type', [
    WebhookStatusGewijzigd,
    WebhookVerklaringGewijzigd,
    WebhookVermeldingEindigtVoorContract,
  ])
  .openapi('WebhookGebeurtenis', {
    description:
      'Een melding: een CloudEvent 1.0 (NL GOV-profiel) als `application/cloudevents+json`, met de headers `webhook-id`, `webhook-timestamp` en `webhook-signature` (Standard Webhooks, HMAC-SHA256 met het geheim van het abonnement). `type` zegt welke van de drie soorten het is en wat `data` bevat. Antwoord met een 2xx; anders probeert het register het opnieuw na 5 s, 30 s, 2 min, 10 min, 1 uur, 3 uur en daarna elke 6 uur, tot drie dagen na de gebeurtenis. Doorverwijzingen worden niet gevolgd.',
  });
