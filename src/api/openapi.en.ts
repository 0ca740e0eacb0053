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
  'Wat u zoekt, zoals u het typt. Een KvK-nummer: 8 cijfers, ook met spaties, punten, streepjes of ‘KvK’ ervoor, of 10 cijfers met twee nullen ervoor (de getalnotatie van een spreadsheet); 2 tot 7 cijfers zoeken op het begin, 7 cijfers ook op het nummer met een 0 ervoor (dat komt dan eerst). Een KvK-nummer tussen woorden (`Polderwolk Hosting B.V. (99990001)`, `#99990001`, `NL 99990001`) zoekt op dat nummer alleen: de woorden tellen niet mee. Twee of meer KvK-nummers (gescheiden door spaties, komma’s of regels) vinden elk nummer precies, met `relevantie` in de getypte volgorde; in zo’n lijst zijn 7 cijfers een nummer met een weggevallen 0. Voor lange lijsten is er de bulkcontrole `POST /controles`. Een btw-id, ook met spaties, punten, streepjes of kleine letters (`nl-123456782-b01`). Een webadres, hostnaam of e-mailadres: het vindt de hostingprovider waarvan de website die host heeft, met of zonder `www.`; schema, poort, pad en query tellen niet (`http://www.polderwolk.example/contact` vindt `polderwolk.example`, `mail.polderwolk.example` ook), een deel van een hostnaam (`example`) vindt niets. Anders woorden uit de naam of handelsnaam, en de vestigingsplaats: elk woord mag een tikfout bevatten (twee bij woorden van 8 tekens of meer), en met `relevantie` komen exacte woorden vóór het begin van een woord, een deel ervan en tikfouten. Een woord dat een plaats is (precies, het begin of met een tikfout) hoeft niet in de naam te staan: het zet hostingproviders in die plaats hoger, maar een hostingprovider met dat woord in de naam komt vóór hostingproviders die alleen in die plaats zitten; `Zwolle` alleen geeft de hostingproviders in Zwolle. Rechtsvormen (B.V., N.V., V.O.F., C.V., U.A., stichting, vereniging, coöperatie, GmbH, Ltd …) en woorden als ‘de’, ‘het’, ‘van’ en ‘the’ tellen niet mee; een zoekterm van alleen zulke woorden geeft het hele register. Vindt de zoekterm niets, dan is het antwoord een lege pagina. Hoogstens 200 tekens.':
    'What you are looking for, as you type it. A KvK number: 8 digits, also with spaces, dots, hyphens or ‘KvK’ before it, or 10 digits with two zeros before it (a spreadsheet’s number format); 2 to 7 digits search on the beginning, 7 digits also on the number with a 0 before it (which then comes first). A KvK number among words (`Polderwolk Hosting B.V. (99990001)`, `#99990001`, `NL 99990001`) searches on that number alone: the words do not count. Two or more KvK numbers (separated by spaces, commas or lines) find each number exactly, with `relevantie` in the order typed; in such a list 7 digits are a number that lost its 0. For long lists there is the bulk check `POST /controles`. A VAT id, also with spaces, dots, hyphens or in lower case (`nl-123456782-b01`). A web address, host name or e-mail address: it finds the hosting provider whose website has that host, with or without `www.`; scheme, port, path and query do not count (`http://www.polderwolk.example/contact` finds `polderwolk.example`, so does `mail.polderwolk.example`), part of a host name (`example`) finds nothing. Otherwise words of the name or trade name, and the place of business: each word may have one typing mistake (two in words of 8 characters or more), and with `relevantie` exact words come before the beginning of a word, a part of one and typing mistakes. A word that is a place (exactly, its beginning or with a typing mistake) need not be in the name: it ranks hosting providers in that place higher, but a hosting provider with that word in its name comes before hosting providers that are only in that place; `Zwolle` alone gives the hosting providers in Zwolle. Legal forms (B.V., N.V., V.O.F., C.V., U.A., stichting, vereniging, coöperatie, GmbH, Ltd …) and words such as ‘de’, ‘het’, ‘van’ and ‘the’ do not count; a search term of only such words gives the whole register. When the search term finds nothing, the answer is an empty page. At most 200 characters.',
  'Alleen hostingproviders met deze status nu. Vlak nadat een versie van de gedragscode is vervallen, worden de statussen van veel hostingproviders tegelijk bijgewerkt (meestal binnen een minuut): zolang dat loopt, kunnen `totaal`, dit filter en de volgorde `status` even achterlopen. Elke hostingprovider in het antwoord heeft dan wel zijn status van nu, ook als die niet meer bij dit filter past.':
    'Only hosting providers with this status now. Right after a version of the code of conduct lapses, the statuses of many hosting providers are brought up to date at once (usually within a minute): while that runs, `totaal`, this filter and the order `status` may be behind for a short while. Each hosting provider in the answer does have its status now, also when that no longer matches this filter.',
  'Volgorde: `relevantie` (standaard met zoekterm), `naam` (standaard zonder), `kvkNummer` of `status` (verantwoord eerst).':
    'Order: `relevantie` (relevance, the default with a search term), `naam` (name, the default without), `kvkNummer` or `status` (responsible first).',
  'Het paginanummer, vanaf 1.': 'The page number, from 1.',
  'Het aantal hostingproviders per pagina.': 'The number of hosting providers per page.',
  'Eén pagina met hostingproviders.': 'One page of hosting providers.',
  'Ongeldige invoer: `invalidParams` noemt elke parameter of elk veld met de reden.':
    'Invalid input: `invalidParams` names every parameter or field with its reason.',
  'Het register is even niet bereikbaar (`unavailable`) of te druk (`busy`); probeer het na Retry-After seconden opnieuw.':
    'The register is briefly unavailable (`unavailable`) or too busy (`busy`); try again after Retry-After seconds.',
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
  'Het verificatie-antwoord voor een verklaring verantwoorde hostingprovider: `valid` (geldig), `suspended` (de hostingprovider is geschorst; weer geldig na opheffing, binnen de geldigheid), `revoked` (de hostingprovider verloor zijn status na afgifte; blijvend) of `expired` (de geldigheid is voorbij). Het antwoord wordt bij elk verzoek met de statusregels berekend: een schorsing of intrekking telt direct. Een onbekend nummer is een 404: zo’n verklaring is niet door het register afgegeven. Het antwoord bevat ook het bewijs dat de afgifte in het openbare transparantielog van het register staat (`transparantielog`): het bladnummer, een inclusiebewijs en het ondertekende checkpoint, en een link (`bewijs`) naar hetzelfde als één C2SP tlog-proof-bestand, om met de pdf en de sleutel van het log offline te controleren. Vlak na de afgifte dekt nog geen checkpoint de afgifte (`opgenomen: false`, zonder link `bewijs`); `melding` zegt binnen hoeveel seconden dat gebeurt. Bevat het log de afgifte helemaal niet (`opgenomen: false` met een `reden`), dan is de verklaring buiten het register om in de database gezet: vertrouw haar niet zonder navraag bij het register.':
    'The verification answer for an attestation of a responsible hosting provider: `valid`, `suspended` (the hosting provider is suspended; valid again once lifted, within its validity), `revoked` (the hosting provider lost its status after issue; for good) or `expired` (its validity has passed). The answer is computed with the status rules at every request: a suspension or revocation counts at once. An unknown number is a 404: such an attestation was not issued by the register. The answer also holds the proof that the issue is in the register’s public transparency log (`transparantielog`): the leaf index, an inclusion proof and the signed checkpoint, and a link (`bewijs`) to the same as one C2SP tlog-proof file, to check offline with the PDF and the log’s key. Right after the issue no checkpoint covers it yet (`opgenomen: false`, without a `bewijs` link); `melding` says within how many seconds that happens. When the log does not hold the issue at all (`opgenomen: false` with a `reden`), the attestation was put in the database behind the register: do not rely on it without asking the register.',
  'Het nummer van de verklaring, zoals VHP-2026-000042.':
    'The attestation’s number, such as VHP-2026-000042.',
  'Het verificatie-antwoord.': 'The verification answer.',
  'Een lijst KvK-nummers controleren': 'Check a list of KvK numbers',
  'Controleert tot 10.000 KvK-nummers op één peildatum (standaard vandaag). Elk nummer krijgt een eigen uitkomst in de volgorde van de lijst: `verantwoord`, `niet_verantwoord` (met de reden), `onbekend` (niet in het register), `ongeldig` (geen 8 cijfers) of `dubbel` (al eerder in de lijst; `dubbelVan` noemt de positie). Nummers worden gelezen zoals mensen ze typen en plakken: spaties, punten, streepjes en ‘KvK’ ervoor tellen niet mee, en bij 7 cijfers wordt de weggevallen voorloopnul aangevuld als dat nummer in het register staat (`gelezenAls` en `opmerking` zeggen hoe). Een ongeldig of onbekend nummer laat de rest van de lijst niet mislukken. Er wordt niets opgeslagen. Alleen vanaf deze site of van een server aanroepbaar (geen CORS).':
    'Checks up to 10,000 KvK numbers on one reference date (`peildatum`, today by default). Each number gets its own outcome, in the order of the list: `verantwoord` (responsible), `niet_verantwoord` (not responsible, with the reason), `onbekend` (unknown: not in the register), `ongeldig` (invalid: not 8 digits) or `dubbel` (duplicate: earlier in the list; `dubbelVan` names the position). Numbers are read as people type and paste them: spaces, dots, hyphens and a ‘KvK’ in front do not count, and for 7 digits the lost leading zero is put back when that number is in the register (`gelezenAls` and `opmerking` say how). An invalid or unknown number does not make the rest of the list fail. Nothing is stored. Callable only from this site or from a server (no CORS).',
  'De uitkomst per nummer en de aantallen per uitkomst.':
    'The outcome per number and the counts per outcome.',
  'De body is groter dan de grens van de operatie: 2 MB voor `POST /controles`, 16 kB voor `POST /webhook-abonnementen`, 4 kB voor `PATCH /webhook-abonnementen/{id}`; `detail` noemt de grens.':
    "The body is larger than the operation's limit: 2 MB for `POST /controles`, 16 kB for `POST /webhook-abonnementen`, 4 kB for `PATCH /webhook-abonnementen/{id}`; `detail` names the limit.",
  'Dit pad kent deze methode niet; de header Allow noemt de methoden die het wel kent.':
    'This path does not know this method; the Allow header names the methods it does know.',
  'De body is geen application/json.': 'The body is not application/json.',
  'Het grootste aantal wijzigingen per pagina.': 'The largest number of changes per page.',
  'Niet gewijzigd sinds de kopie van de client (If-None-Match of If-Modified-Since); zonder body.':
    'Not modified since the client’s copy (If-None-Match or If-Modified-Since); no body.',
  'Alle statuswijzigingen in het register, om bij te houden wat er veranderde':
    'Every status change in the register, to keep up with what changed',
  'Elke statuswijziging van elke openbare hostingprovider, oudste eerst, in pagina’s van hoogstens `paginaGrootte` (standaard 100, hoogstens 1000). Volg `links.next` (ook in de Link-header): er is altijd een volgende pagina, en wie die later opnieuw opvraagt krijgt wat er intussen vastgelegd is. Zo mist een client niets, ook niet wat vastgelegd wordt terwijl hij bladert: de volgorde is die waarin wijzigingen vastgelegd (gecommit) zijn, en een wijziging komt nooit vóór een plek die een client al gelezen heeft. Elke wijziging noemt de status ervoor (`van`) en erna (`naar`). Naast besluiten staan er ook wijzigingen in die de tijd bracht: een verlopen vermelding en een vervallen gedragscode (vastgelegd door het nachtelijke werk, met het ingangsmoment waarop zij golden) en een einde van AAN-deelname uit de AAN-lijst. Een hostingprovider verschijnt vanaf het moment dat het register zijn identiteit bevestigde (bij het eerste besluit); de indiening van zijn eerste aanvraag staat alleen in zijn eigen statusgeschiedenis. Met `kvkNummer` alleen de wijzigingen van die hostingproviders.':
    'Every status change of every public hosting provider, oldest first, in pages of at most `paginaGrootte` (page size; 100 by default, at most 1000). Follow `links.next` (also in the Link header): there is always a next page, and asking for it again later gives what was recorded meanwhile. So a client misses nothing, not even what is recorded while it pages: the order is the order in which changes were recorded (committed), and a change never lands before a place a client has already read. Each change names the status before it (`van`) and after it (`naar`). Besides decisions it holds the changes time brought: an expired listing and a lapsed code of conduct (recorded by the nightly work, with the instant they took effect) and an end of AAN participation from the AAN list. A hosting provider appears from the moment the register confirmed its identity (at the first decision); the submission of its first application is only in its own status history. With `kvkNummer`, only the changes of those hosting providers.',
  'Waar het lezen verder gaat: de waarde uit de `next`-link van de vorige pagina (een cursor; lees er niets in, hij verandert niet). Zonder `vanaf`: vanaf de eerste wijziging.':
    'Where reading continues: the value from the previous page’s `next` link (a cursor; read nothing into it, it does not change). Without `vanaf`: from the first change.',
  'Alleen de wijzigingen van deze hostingproviders. Herhaal de parameter voor meer nummers (`?kvkNummer=01234567&kvkNummer=76543210`); een kommalijst mag ook. Hoogstens 100 nummers.':
    'Only the changes of these hosting providers. Repeat the parameter for more numbers (`?kvkNummer=01234567&kvkNummer=76543210`); a comma list works too. At most 100 numbers.',
  'Eén pagina met statuswijzigingen.': 'One page of status changes.',
  'De ingang van de API': 'The entry point of the API',
  'Waar de documentatie en elke resource van deze versie te vinden zijn, als links. Een link met `templated: true` is een URI-template: vul de variabele in.':
    'Where the documentation and every resource of this version are, as links. A link with `templated: true` is a URI template: fill in the variable.',
  'De links van deze versie.': 'The links of this version.',
  'Te veel verzoeken van dit adres in een minuut (`tooMany`), of bij `POST /controles` te veel controles tegelijk (`tooManyChecks`). Probeer het na Retry-After seconden opnieuw.':
    'Too many requests from this address in a minute (`tooMany`), or for `POST /controles` too many checks at once (`tooManyChecks`). Try again after Retry-After seconds.',
  'De webhook-abonnementen van uw organisatie': "Your organisation's webhook subscriptions",
  'Alle webhook-abonnementen van de organisatie van de API-sleutel, nieuwste eerst, zonder hun geheim.':
    "Every webhook subscription of the API key's organisation, newest first, without their secret.",
  'De abonnementen.': 'The subscriptions.',
  'Geen, een onbekende of een ingetrokken API-sleutel in X-Api-Key (of Authorization: Bearer).':
    'No, an unknown or a revoked API key in X-Api-Key (or Authorization: Bearer).',
  'Een geldige API-sleutel van een signaalleverancier die de beheerder van het register heeft geschorst: zolang de schorsing duurt, werkt geen sleutel van de organisatie.':
    "A valid API key of a signal supplier that the register's administrator suspended: while the suspension lasts, none of the organisation's keys works.",
  'Een webhook-abonnement maken': 'Create a webhook subscription',
  'Maakt een abonnement: het register stuurt elke gebeurtenis over een leverancier op de volglijsten van uw organisatie (of op één volglijst) als `WebhookGebeurtenis` naar `url`. Het antwoord bevat eenmalig het geheim om handtekeningen mee te controleren. Het adres moet https zijn, zonder gebruikersnaam of wachtwoord, en naar een openbaar adres wijzen; het register controleert dat bij het opslaan en bij elke aflevering opnieuw.':
    "Creates a subscription: the register sends every event about a supplier on your organisation's watch lists (or on one watch list) as a `WebhookGebeurtenis` to `url`. The answer holds, once only, the secret to check signatures with. The address must be https, without a user name or password, and point to a public address; the register checks this when saving and again at every delivery.",
  'Het nieuwe abonnement, met zijn geheim (alleen nu).': 'The new subscription, with its secret (only now).',
  'Eén webhook-abonnement': 'One webhook subscription',
  'Een abonnement van uw organisatie; een abonnement van een andere organisatie bestaat voor u niet (404).':
    "A subscription of your organisation; another organisation's subscription does not exist for you (404).",
  'De id van het webhook-abonnement.': "The webhook subscription's id.",
  'Het abonnement.': 'The subscription.',
  'Een uitgeschakeld webhook-abonnement weer aanzetten': 'Turn a disabled webhook subscription on again',
  'Met `{"actief": true}` zet u een abonnement dat het register uitschakelde weer aan; wachtende meldingen worden dan direct opnieuw verstuurd.':
    'With `{"actief": true}` you turn a subscription the register disabled on again; waiting notices are then sent again at once.',
  'Een webhook-abonnement verwijderen': 'Delete a webhook subscription',
  'Verwijdert het abonnement met zijn afleverlogboek; er gaan geen meldingen meer naar zijn adres.':
    'Deletes the subscription with its delivery log; no more notices go to its address.',
  'Verwijderd.': 'Deleted.',
  'Het afleverlogboek van een webhook-abonnement': "A webhook subscription's delivery log",
  'De laatste 50 afleverpogingen, nieuwste eerst: tijd, HTTP-status, duur en fout.':
    'The latest 50 delivery attempts, newest first: time, HTTP status, duration and error.',
  'De afleverpogingen.': 'The delivery attempts.',
  'De signalen van uw organisatie': 'Your organisation’s signals',
  'De signalen van de organisatie van de API-sleutel, nieuwste eerst, 50 per pagina, zonder hun inhoud, met per signaal de cijfers: hoeveel aanbieders een overeenkomst hadden en wat zij deden. Een aantal onder de drempel (3) staat er als `minderDan`.':
    'The signals of the API key’s organisation, newest first, 50 per page, without their content, each with its figures: how many providers had a match and what they did. A number below the threshold (3) reads as `minderDan` (fewer than).',
  'De signalen.': 'The signals.',
  'Een signaal geven': 'Send a signal',
  'Legt een signaal over een wederverkoper vast en legt het naast de wederverkopers die aanbieders opgaven. Kenmerken en toelichting worden versleuteld bewaard; het antwoord herhaalt ze niet. Een kenmerk dat niet klopt, staat in `invalidParams` met zijn plaats in de lijst (`domeinen[1]`, vanaf 0).':
    'Records a signal about a reseller and matches it against the resellers providers declared. Identifiers and explanation are stored encrypted; the answer does not repeat them. An identifier that is not right is in `invalidParams` with its place in the list (`domeinen[1]`, from 0).',
  'Het signaal is vastgelegd.': 'The signal has been recorded.',
  'Eén signaal met zijn inhoud': 'One signal with its content',
  'Een signaal van uw organisatie met zijn kenmerken, toelichting en cijfers; elke keer dat u het opvraagt, wordt vastgelegd. Een signaal van een andere organisatie bestaat voor u niet (404).':
    'A signal of your organisation with its identifiers, explanation and figures; every time you ask for it is recorded. A signal of another organisation does not exist for you (404).',
  'De id van het signaal.': 'The signal’s id.',
  'Het signaal.': 'The signal.',
  'Een signaal intrekken': 'Withdraw a signal',
  'Trekt het signaal in: het telt niet meer en aanbieders zien het niet meer als geldig. Nog eens intrekken verandert niets.':
    'Withdraws the signal: it no longer counts and providers no longer see it as current. Withdrawing it again changes nothing.',
  'Ingetrokken.': 'Withdrawn.',
};
