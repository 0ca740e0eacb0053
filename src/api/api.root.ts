import { paths } from '../shared/paths';
import { z } from './api.registry';

const link = (description: string) =>
  z.object({ href: z.url().openapi({ description: 'Een absolute URL.' }) }).openapi({ description });
const templatedLink = (description: string) =>
  z
    .object({
      href: z
        .string()
        .openapi({ description: 'Een URI-template (RFC 6570): vul de variabele tussen {} in.' }),
      templated: z.literal(true),
    })
    .openapi({ description });

/** The answer of `GET /api/v1`: where the documentation and each resource are. */
export const ApiIngang = z
  .object({
    naam: z.string().openapi({ description: 'De naam van de API.' }),
    versie: z
      .string()
      .openapi({ description: 'De volledige versie (semantic versioning), als in de header API-Version.' }),
    links: z.object({
      self: link('Deze ingang.'),
      openapi: link('Het OpenAPI-document van deze versie.'),
      documentatie: link('De documentatie voor mensen, met de changelog en het uitfaseringsbeleid.'),
      hostingproviders: link('Hostingproviders zoeken.'),
      hostingprovider: templatedLink('Eén hostingprovider met zijn status, op KvK-nummer.'),
      verklaring: templatedLink('Een verklaring controleren, op nummer.'),
      controles: link('Een lijst KvK-nummers controleren (POST).'),
      statuswijzigingen: link('Alle statuswijzigingen van het register, oudste eerst.'),
    }),
  })
  .openapi('ApiIngang', {
    example: {
      naam: 'Register Verantwoorde Hostingproviders API',
      versie: '1.1.0',
      links: {
        self: { href: 'https://register.example/api/v1' },
        openapi: { href: 'https://register.example/api/v1/openapi.json' },
        documentatie: { href: 'https://register.example/api-documentatie' },
        hostingproviders: { href: 'https://register.example/api/v1/hostingproviders' },
        hostingprovider: {
          href: 'https://register.example/api/v1/hostingproviders/{kvkNummer}',
          templated: true,
        },
        verklaring: { href: 'https://register.example/api/v1/verklaringen/{nummer}', templated: true },
        controles: { href: 'https://register.example/api/v1/controles' },
        statuswijzigingen: { href: 'https://register.example/api/v1/statuswijzigingen' },
      },
    },
  });

export type ApiIngang = z.infer<typeof ApiIngang>;

/** The entry point of /api/v1, for `publicBaseUrl`. */
export function apiRoot(publicBaseUrl: string, version: string): ApiIngang {
  const api = `${publicBaseUrl}${paths.api}`;
  return {
    naam: 'Register Verantwoorde Hostingproviders API',
    versie: version,
    links: {
      self: { href: api },
      openapi: { href: `${api}/openapi.json` },
      documentatie: { href: `${publicBaseUrl}${paths.apiDocs}` },
      hostingproviders: { href: `${api}/hostingproviders` },
      hostingprovider: { href: `${api}/hostingproviders/{kvkNummer}`, templated: true },
      verklaring: { href: `${api}/verklaringen/{nummer}`, templated: true },
      controles: { href: `${api}/controles` },
      statuswijzigingen: { href: `${api}/statuswijzigingen` },
    },
  };
}
