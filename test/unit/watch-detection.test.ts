import assert from 'node:assert/strict';
import { mailTexts, type WatchLine } from '../../src/mail/messages';
import {
  attestationChange,
  NOT_REGISTERED,
  statusChanges,
  type WatchedAttestation,
} from '../../src/status/watch-detection';
import type { CodeVersionFact, StatusFact } from '../../src/status/status-rules';
import type { StatusSnapshot } from '../../src/status/status-snapshot.queries';

const at = (iso: string) => new Date(iso);

const snapshot = (providerId: string, status: string, since: string | null = null): StatusSnapshot => ({
  providerId,
  status,
  since,
  validUntil: null,
  nextChangeAt: null,
});

/** Issue 18 §3: which snapshot changes a buyer who watches the provider is told of. */
describe('statusChanges: which snapshot changes notify', () => {
  const cases: {
    name: string;
    before: string | undefined;
    after: StatusSnapshot;
    told: [string, string] | null;
  }[] = [
    {
      name: 'a suspension',
      before: 'verantwoord',
      after: snapshot('p', 'suspended'),
      told: ['verantwoord', 'suspended'],
    },
    {
      name: 'a lifted suspension',
      before: 'suspended',
      after: snapshot('p', 'verantwoord'),
      told: ['suspended', 'verantwoord'],
    },
    {
      name: 'a revocation',
      before: 'verantwoord',
      after: snapshot('p', 'revoked'),
      told: ['verantwoord', 'revoked'],
    },
    {
      name: 'an expiry by time',
      before: 'verantwoord',
      after: snapshot('p', 'expired'),
      told: ['verantwoord', 'expired'],
    },
    {
      name: 'a lapsed code version',
      before: 'verantwoord',
      after: snapshot('p', 'code_of_conduct_outdated'),
      told: ['verantwoord', 'code_of_conduct_outdated'],
    },
    {
      name: 'AAN participation ended',
      before: 'verantwoord',
      after: snapshot('p', 'aan_participation_ended'),
      told: ['verantwoord', 'aan_participation_ended'],
    },
    {
      name: 'an approval',
      before: 'application_pending',
      after: snapshot('p', 'verantwoord'),
      told: ['application_pending', 'verantwoord'],
    },
    {
      name: 'a first snapshot',
      before: undefined,
      after: snapshot('p', 'not_listed'),
      told: [NOT_REGISTERED, 'not_listed'],
    },
    {
      name: 'a renewal (same word, a new since)',
      before: 'verantwoord',
      after: snapshot('p', 'verantwoord', '2026-01-01T00:00:00.000Z'),
      told: null,
    },
    {
      name: 'a refresh that changes nothing',
      before: 'suspended',
      after: snapshot('p', 'suspended'),
      told: null,
    },
  ];
  for (const c of cases)
    it(`${c.name}: ${c.told ? `${c.told[0]} → ${c.told[1]}` : 'nothing'}`, () => {
      const before = new Map(c.before === undefined ? [] : [['p', { status: c.before }]]);
      const changes = statusChanges(before, [c.after]);
      assert.deepEqual(
        changes.map((x) => [x.from, x.to]),
        c.told ? [c.told] : [],
      );
    });

  it('tells only the providers of a batch whose word changed, in the batch order', () => {
    const before = new Map([
      ['a', { status: 'verantwoord' }],
      ['b', { status: 'verantwoord' }],
      ['c', { status: 'suspended' }],
    ]);
    const changes = statusChanges(before, [
      snapshot('a', 'verantwoord'),
      snapshot('b', 'revoked'),
      snapshot('c', 'verantwoord'),
    ]);
    assert.deepEqual(
      changes.map((x) => x.snapshot.providerId),
      ['b', 'c'],
    );
  });
});

// A listing approved 1 March 2025 until 1 March 2026; an attestation issued 1 April 2025 until then.
const V1: CodeVersionFact = {
  id: 'v1',
  publishedAt: at('2020-01-01T00:00:00Z'),
  transitionEndsAt: at('2020-01-01T00:00:00Z'),
};
const LISTING_END = '2026-03-01T10:00:00.000Z';
const ATTESTATION: WatchedAttestation = {
  number: 'VHP-2025-000001',
  providerId: 'p',
  issuedAt: at('2025-04-01T12:00:00.000Z'),
  validUntil: at(LISTING_END),
};
type Spec = { kind: StatusFact['kind']; at: string; recorded?: string };
const history = (...specs: Spec[]): StatusFact[] =>
  [{ kind: 'listing_approved', at: '2025-03-01T10:00:00.000Z' } as Spec, ...specs].map((s, i) => ({
    sequence: i + 1,
    kind: s.kind,
    effectiveAt: at(s.at),
    recordedAt: at(s.recorded ?? s.at),
    validUntil: s.kind === 'listing_approved' ? at(LISTING_END) : null,
    codeOfConductVersionId: s.kind === 'listing_approved' ? 'v1' : null,
    aanSince: s.kind === 'listing_approved' ? at('2024-01-01T00:00:00Z') : null,
    suspendedUntil: null,
  }));

describe('attestationChange: which attestation changes notify', () => {
  const cases: {
    name: string;
    events: Spec[];
    previous: string;
    now: string;
    attestation?: Partial<WatchedAttestation>;
    told: [string, string] | null;
  }[] = [
    {
      name: 'the provider is suspended',
      events: [{ kind: 'suspended', at: '2025-06-01T00:00:00Z' }],
      previous: '2025-05-01T00:00:00Z',
      now: '2025-06-01T00:00:00Z',
      told: ['valid', 'suspended'],
    },
    {
      name: 'the suspension is lifted',
      events: [
        { kind: 'suspended', at: '2025-06-01T00:00:00Z' },
        { kind: 'suspension_lifted', at: '2025-07-01T00:00:00Z' },
      ],
      previous: '2025-06-02T00:00:00Z',
      now: '2025-07-01T00:00:00Z',
      told: ['suspended', 'valid'],
    },
    {
      name: 'the listing is revoked',
      events: [{ kind: 'revoked', at: '2025-06-01T00:00:00Z' }],
      previous: '2025-05-01T00:00:00Z',
      now: '2025-06-01T00:00:00Z',
      told: ['valid', 'revoked'],
    },
    {
      name: 'a revocation recorded now but effective before the previous snapshot',
      events: [{ kind: 'revoked', at: '2025-05-15T00:00:00Z', recorded: '2025-06-01T00:00:00Z' }],
      previous: '2025-05-20T00:00:00Z',
      now: '2025-06-01T00:00:00Z',
      told: ['valid', 'revoked'],
    },
    {
      name: 'its validity ends',
      events: [],
      previous: '2026-02-01T00:00:00Z',
      now: '2026-03-02T00:00:00Z',
      told: ['valid', 'expired'],
    },
    {
      name: 'issued since the previous snapshot (its issue was told) and still valid',
      events: [],
      previous: '2025-03-15T00:00:00Z',
      now: '2025-05-01T00:00:00Z',
      told: null,
    },
    {
      name: 'issued since the previous snapshot and suspended since',
      events: [{ kind: 'suspended', at: '2025-04-15T00:00:00Z' }],
      previous: '2025-03-15T00:00:00Z',
      now: '2025-04-15T00:00:00Z',
      told: ['valid', 'suspended'],
    },
    {
      name: 'nothing happened',
      events: [],
      previous: '2025-05-01T00:00:00Z',
      now: '2025-06-01T00:00:00Z',
      told: null,
    },
    {
      name: 'revoked long ago (told then)',
      events: [{ kind: 'revoked', at: '2025-06-01T00:00:00Z' }],
      previous: '2025-07-01T00:00:00Z',
      now: '2026-04-01T00:00:00Z',
      told: null,
    },
  ];
  for (const c of cases)
    it(`${c.name}: ${c.told ? `${c.told[0]} → ${c.told[1]}` : 'nothing'}`, () => {
      const change = attestationChange(
        { ...ATTESTATION, ...c.attestation },
        history(...c.events),
        [V1],
        at(c.previous),
        at(c.now),
      );
      assert.deepEqual(change ? [change.from, change.to] : null, c.told);
    });
});

describe('the watch mail', () => {
  let events = 0;
  const line = (overrides: Partial<WatchLine> & Pick<WatchLine, 'kind'>): WatchLine =>
    ({
      eventId: String(++events),
      organisation: 'Kaasmarkt Compute B.V.',
      kvkNumber: '12345678',
      reference: 'CONTRACT-7',
      pageLink: 'https://register.test/hostingproviders/12345678',
      ...overrides,
    }) as WatchLine;

  it('names the supplier, the list, the own reference, from → to in words, since when, the reason and the links, in Dutch and English', () => {
    const mail = mailTexts.watchNotice(
      'inkoper@minvenj.nl',
      'at_once',
      [
        {
          list: 'Hosting 2026',
          link: 'https://register.test/inkoop/lijsten/l1',
          lines: [
            line({
              kind: 'status_changed',
              from: 'verantwoord',
              to: 'suspended',
              since: at('2026-03-03T10:00:00Z'),
              reason: 'Onderzoek naar misbruik',
            }),
          ],
        },
      ],
      'https://register.test/account#meldingen',
    );
    assert.equal(
      mail.subject,
      '1 wijziging bij uw gevolgde leveranciers / 1 change to your watched suppliers',
    );
    for (const part of [
      'Volglijst Hosting 2026: https://register.test/inkoop/lijsten/l1',
      'Kaasmarkt Compute B.V. (KvK 12345678), uw kenmerk CONTRACT-7: Verantwoord → Geschorst, sinds 3 maart 2026.',
      'Reden: Onderzoek naar misbruik',
      'Openbare pagina: https://register.test/hostingproviders/12345678',
      'your reference CONTRACT-7: Responsible → Suspended, since 3 March 2026.',
      'https://register.test/account#meldingen',
    ])
      assert.ok(mail.body.includes(part), `${part}\n---\n${mail.body}`);
  });

  it('an attestation, a listing that ends before the contract, and a first snapshot, each in words', () => {
    const mail = mailTexts.watchNotice(
      'inkoper@minvenj.nl',
      'daily',
      [
        {
          list: 'Hosting 2026',
          link: 'https://register.test/inkoop/lijsten/l1',
          lines: [
            line({
              kind: 'attestation_changed',
              number: 'VHP-2026-000042',
              from: 'valid',
              to: 'revoked',
              since: at('2026-03-03T10:00:00Z'),
              validUntil: at('2027-01-01T10:00:00Z'),
              verifyLink: 'https://register.test/verificatie/VHP-2026-000042',
            }),
            line({
              kind: 'listing_ends_before_contract',
              validUntil: at('2026-05-01T10:00:00Z'),
              contractEnd: at('2027-12-31T12:00:00Z'),
            }),
            line({
              kind: 'status_changed',
              from: 'not_registered',
              to: 'not_listed',
              since: null,
              reason: null,
              reference: '',
            }),
          ],
        },
      ],
      'https://register.test/account#meldingen',
    );
    assert.match(mail.subject, /^Dagelijks overzicht: 3 wijzigingen .* \/ Daily summary: 3 changes/);
    for (const part of [
      'Het overzicht van vandaag',
      'verklaring VHP-2026-000042 Geldig → Ingetrokken, sinds 3 maart 2026.',
      'Verklaring controleren: https://register.test/verificatie/VHP-2026-000042',
      'de vermelding loopt af op 1 mei 2026, vóór het einde van uw contract op 31 december 2027.',
      'Kaasmarkt Compute B.V. (KvK 12345678): Niet in het register → Niet vermeld.',
      'Not in the register → Not listed.',
    ])
      assert.ok(mail.body.includes(part), `${part}\n---\n${mail.body}`);
  });

  it('counts changes, not lines: one change to a supplier on two lists is one change', () => {
    const change = line({
      kind: 'status_changed',
      from: 'verantwoord',
      to: 'suspended',
      since: at('2026-03-03T10:00:00Z'),
      reason: null,
    });
    const other = line({
      kind: 'status_changed',
      from: 'suspended',
      to: 'verantwoord',
      since: null,
      reason: null,
    });
    const lists = (...lines: WatchLine[]) => [
      { list: 'Hosting 2026', link: 'https://register.test/inkoop/lijsten/l1', lines },
      { list: 'Cloud 2027', link: 'https://register.test/inkoop/lijsten/l2', lines },
    ];
    const settings = 'https://register.test/account#meldingen';
    assert.match(
      mailTexts.watchNotice('i@minvenj.nl', 'at_once', lists(change), settings).subject,
      /^1 wijziging bij uw gevolgde leveranciers \/ 1 change to/,
    );
    assert.match(
      mailTexts.watchNotice('i@minvenj.nl', 'daily', lists(change, other), settings).subject,
      /^Dagelijks overzicht: 2 wijzigingen bij uw gevolgde leveranciers \/ Daily summary: 2 changes/,
    );
  });
});
