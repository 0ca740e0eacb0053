/**
 * The OpenAPI document is Dutch, as the NL API Design Rules ask (Dutch resource names, Dutch
 * texts); the documentation page under ?lang=en shows its summaries and descriptions in English
 * from this table, keyed by the Dutch text. A unit test checks that every text the page shows
 * has its English here, so a Dutch text changed without its translation fails the build.
 */
export const OPENAPI_ENGLISH: Readonly<Record<string, string>> = {
  'Dit OpenAPI-document': 'This OpenAPI document',
  'Het OpenAPI 3.0-document van deze API, zoals u het nu leest.':
    'The OpenAPI 3.0 document of this API, as you are reading it now.',
  'Het OpenAPI-document.': 'The OpenAPI document.',
  'Deze resource bestaat niet: een onbekend KvK-nummer, een onbekend pad, of een URL met een schuine streep aan het eind.':
    'This resource does not exist: an unknown KvK number, an unknown path, or a URL with a trailing slash.',
  'Een fout aan de kant van het register. De header X-Request-Id helpt ons die terug te vinden.':
    'An error on the register’s side. The X-Request-Id header helps us find it.',
  'Hostingproviders zoeken': 'Search hosting providers',
  'Zoekt in het register op naam of handelsnaam (tolerant voor typefouten), KvK-nummer (heel of het begin), btw-id of websitedomein; filtert op status; sorteert en pagineert. Zonder zoekterm geeft het het hele register, op naam gesorteerd. Een pagina voorbij de laatste is leeg; de links wijzen dan naar de eerste en de laatste pagina. De status komt uit dezelfde statusregels als de detailresource. Het register bevat alleen hostingproviders waarvan een beoordelaar de identiteit heeft bevestigd; een nieuwe registratie is tot die tijd ook bij opvragen en controleren onbekend.':
    'Searches the register by name or trade name (tolerant of typing mistakes), KvK number (whole or its beginning), VAT id or website domain; filters by status; sorts and pages. Without a search term it gives the whole register, sorted by name. A page beyond the last one is empty; its links then point to the first and the last page. The status comes from the same status rules as the detail resource. The register holds only hosting providers whose identity a reviewer has confirmed; until then a new registration is unknown to lookups and checks too.',
  'Wat u zoekt, zoals u het typt. Een KvK-nummer: 8 cijfers, ook met spaties, punten, streepjes of ‘KvK’ ervoor; 2 tot 7 cijfers zoeken op het begin, 7 cijfers ook op het nummer met een 0 ervoor (dat komt dan eerst). Een btw-id, ook met spaties, punten, streepjes of kleine letters (`nl-123456782-b01`). Een webadres, hostnaam of e-mailadres: het vindt de hostingprovider waarvan de website die host heeft, met of zonder `www.`; schema, poort, pad en query tellen niet (`http://www.polderwolk.example/contact` vindt `polderwolk.example`, `mail.polderwolk.example` ook), een deel van een hostnaam (`example`) vindt niets. Anders woorden uit de naam of handelsnaam: elk woord mag een tikfout bevatten (twee bij woorden van 8 tekens of meer), en met `relevantie` komen exacte woorden vóór het begin van een woord, een deel ervan en tikfouten. Rechtsvormen (B.V., N.V., V.O.F., C.V., U.A., stichting, vereniging, coöperatie, GmbH, Ltd …) en woorden als ‘de’, ‘het’, ‘van’ en ‘the’ tellen niet mee; een zoekterm van alleen zulke woorden geeft het hele register. Vindt de zoekterm niets, dan is het antwoord een lege pagina. Hoogstens 200 tekens.':
    'What you are looking for, as you type it. A KvK number: 8 digits, also with spaces, dots, hyphens or ‘KvK’ before it; 2 to 7 digits search on the beginning, 7 digits also on the number with a 0 before it (which then comes first). A VAT id, also with spaces, dots, hyphens or in lower case (`nl-123456782-b01`). A web address, host name or e-mail address: it finds the hosting provider whose website has that host, with or without `www.`; scheme, port, path and query do not count (`http://www.polderwolk.example/contact` finds `polderwolk.example`, so does `mail.polderwolk.example`), part of a host name (`example`) finds nothing. Otherwise words of the name or trade name: each word may have one typing mistake (two in words of 8 characters or more), and with `relevantie` exact words come before the beginning of a word, a part of one and typing mistakes. Legal forms (B.V., N.V., V.O.F., C.V., U.A., stichting, vereniging, coöperatie, GmbH, Ltd …) and words such as ‘de’, ‘het’, ‘van’ and ‘the’ do not count; a search term of only such words gives the whole register. When the search term finds nothing, the answer is an empty page. At most 200 characters.',
  'Alleen hostingproviders met deze status nu.': 'Only hosting providers with this status now.',
  'Volgorde: `relevantie` (standaard met zoekterm), `naam` (standaard zonder), `kvkNummer` of `status` (verantwoord eerst).':
    'Order: `relevantie` (relevance, the default with a search term), `naam` (name, the default without), `kvkNummer` or `status` (responsible first).',
  'Het paginanummer, vanaf 1.': 'The page number, from 1.',
  'Het aantal hostingproviders per pagina.': 'The number of hosting providers per page.',
  'Eén pagina met hostingproviders.': 'One page of hosting providers.',
  'Ongeldige invoer: `invalidParams` noemt elke parameter of elk veld met de reden.':
    'Invalid input: `invalidParams` names every parameter or field with its reason.',
  'Het register is even niet bereikbaar; probeer het na Retry-After seconden opnieuw.':
    'The register is briefly unavailable; try again after Retry-After seconds.',
  'Eén hostingprovider met zijn status': 'One hosting provider with its status',
  'De gegevens van een hostingprovider en zijn status: nu, of met `peildatum` aan het einde van die Nederlandse kalenderdag (of nu, als de peildatum vandaag is). De status komt uit de statusregels over de vastgelegde geschiedenis; `code` is `verantwoord` of de reden waarom niet. `vermelding` is de goedgekeurde vermelding waar de status op rust (ook als die verlopen, geschorst of ingetrokken is), of null.':
    'A hosting provider’s details and its status: now, or with `peildatum` (reference date) at the end of that Dutch calendar day (or now, if the reference date is today). The status comes from the status rules over the recorded history; `code` is `verantwoord` (responsible) or the reason why not. `vermelding` is the approved listing the status rests on (also when it has expired, been suspended or revoked), or null.',
  'Het KvK-nummer van de hostingprovider: precies 8 cijfers.':
    'The hosting provider’s KvK (Chamber of Commerce) number: exactly 8 digits.',
  'De status aan het einde van deze Nederlandse kalenderdag (JJJJ-MM-DD), vanaf 1990-01-01 tot en met vandaag. Zonder peildatum: de status nu.':
    'The status at the end of this Dutch calendar day (YYYY-MM-DD), from 1990-01-01 up to and including today. Without a reference date: the status now.',
  'De hostingprovider en zijn status.': 'The hosting provider and its status.',
  'De statusgeschiedenis van een hostingprovider': 'The status history of a hosting provider',
  'Alle vastgelegde statuswijzigingen van een hostingprovider, nieuwste eerst. Wijzigingen worden nooit aangepast of verwijderd; een correctie is een nieuwe wijziging. `ingangsmoment` is wanneer de wijziging ingaat, `registratiemoment` wanneer het register haar vastlegde.':
    'Every recorded status change of a hosting provider, newest first. Changes are never altered or deleted; a correction is a new change. `ingangsmoment` is when the change takes effect, `registratiemoment` when the register recorded it.',
  'De statuswijzigingen.': 'The status changes.',
  'Een verklaring controleren': 'Verify an attestation',
  'Het verificatie-antwoord voor een verklaring verantwoorde hostingprovider: `valid` (geldig), `suspended` (de hostingprovider is geschorst; weer geldig na opheffing, binnen de geldigheid), `revoked` (de hostingprovider verloor zijn status na afgifte; blijvend) of `expired` (de geldigheid is voorbij). Het antwoord wordt bij elk verzoek met de statusregels berekend: een schorsing of intrekking telt direct. Een onbekend nummer is een 404: zo’n verklaring is niet door het register afgegeven.':
    'The verification answer for an attestation of a responsible hosting provider: `valid`, `suspended` (the hosting provider is suspended; valid again once lifted, within its validity), `revoked` (the hosting provider lost its status after issue; for good) or `expired` (its validity has passed). The answer is computed with the status rules at every request: a suspension or revocation counts at once. An unknown number is a 404: such an attestation was not issued by the register.',
  'Het nummer van de verklaring, zoals VHP-2026-000042.':
    'The attestation’s number, such as VHP-2026-000042.',
  'Het verificatie-antwoord.': 'The verification answer.',
  'Een lijst KvK-nummers controleren': 'Check a list of KvK numbers',
  'Controleert tot 10.000 KvK-nummers op één peildatum (standaard vandaag). Elk nummer krijgt een eigen uitkomst in de volgorde van de lijst: `verantwoord`, `niet_verantwoord` (met de reden), `onbekend` (niet in het register), `ongeldig` (geen 8 cijfers) of `dubbel` (al eerder in de lijst; `dubbelVan` noemt de positie). Een ongeldig of onbekend nummer laat de rest van de lijst niet mislukken. Er wordt niets opgeslagen. Alleen vanaf deze site of van een server aanroepbaar (geen CORS).':
    'Checks up to 10,000 KvK numbers on one reference date (`peildatum`, today by default). Each number gets its own outcome, in the order of the list: `verantwoord` (responsible), `niet_verantwoord` (not responsible, with the reason), `onbekend` (unknown: not in the register), `ongeldig` (invalid: not 8 digits) or `dubbel` (duplicate: earlier in the list; `dubbelVan` names the position). An invalid or unknown number does not make the rest of the list fail. Nothing is stored. Callable only from this site or from a server (no CORS).',
  'De uitkomst per nummer en de aantallen per uitkomst.':
    'The outcome per number and the counts per outcome.',
  'De body is groter dan 2 MB.': 'The body is larger than 2 MB.',
  'De body is geen application/json.': 'The body is not application/json.',
  'De ingang van de API': 'The entry point of the API',
  'Waar de documentatie en elke resource van deze versie te vinden zijn, als links. Een link met `templated: true` is een URI-template: vul de variabele in.':
    'Where the documentation and every resource of this version are, as links. A link with `templated: true` is a URI template: fill in the variable.',
  'De links van deze versie.': 'The links of this version.',
  'Te veel verzoeken van dit adres in een minuut (`tooMany`), of bij `POST /controles` te veel controles tegelijk (`tooManyChecks`). Probeer het na Retry-After seconden opnieuw.':
    'Too many requests from this address in a minute (`tooMany`), or for `POST /controles` too many checks at once (`tooManyChecks`). Try again after Retry-After seconds.',
};
