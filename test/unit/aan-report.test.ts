import assert from 'node:assert/strict';
import type { AanImportResult } from '../../src/aan/aan-import.service';
import { aanImportSummary, aanRejectedIntroKey } from '../../src/aan/aan-report';

const result = (counts: Partial<AanImportResult>): AanImportResult => ({
  fileSha256: '0'.repeat(64),
  listDate: '2026-03-01',
  rows: 0,
  matched: 0,
  notInRegister: 0,
  ended: 0,
  endsPlanned: 0,
  resumed: 0,
  tasks: 0,
  tasksClosed: 0,
  changes: [],
  ...counts,
});

describe('aanImportSummary: the import report in words, each count in its plural form', () => {
  it('uses the singular for one, in Dutch and in English', () => {
    const one = result({
      rows: 1,
      matched: 1,
      ended: 1,
      resumed: 1,
      endsPlanned: 1,
      tasks: 1,
      tasksClosed: 1,
    });
    assert.equal(
      aanImportSummary('nl', one),
      'Lijst geïmporteerd: 1 regel, 1 in het register, 0 niet; 1 beëindiging en 1 hervatting vastgelegd, 1 beëindiging gepland, 1 nieuwe taak, 1 taak afgesloten.',
    );
    assert.equal(
      aanImportSummary('en', one),
      'AAN list imported: 1 line, 1 in the register, 0 not; 1 end and 1 resumption recorded, 1 end planned, 1 new task, 1 task closed.',
    );
  });

  it('uses the plural for zero and for more than one', () => {
    assert.equal(
      aanImportSummary('en', result({ rows: 2, matched: 2, ended: 2 })),
      'AAN list imported: 2 lines, 2 in the register, 0 not; 2 ends and 0 resumptions recorded, 0 ends planned, 0 new tasks, 0 tasks closed.',
    );
  });
});

describe('aanImportSummary for a file imported before (same SHA-256)', () => {
  const at = new Date('2026-11-30T00:34:00Z');
  it('says only when it was imported, if it changes nothing', () => {
    assert.equal(
      aanImportSummary('nl', result({ rows: 2, matched: 2, alreadyImportedAt: at })),
      'Deze lijst is al geïmporteerd op 30 november 2026 om 01:34; er verandert niets.',
    );
    assert.equal(
      aanImportSummary('en', result({ rows: 2, matched: 2, alreadyImportedAt: at })),
      'This list was already imported on 30 November 2026 at 01:34; nothing changes.',
    );
  });

  it('says that another list came in between, and what changed, if it changes something', () => {
    const changed = result({
      rows: 1,
      matched: 1,
      tasksClosed: 1,
      alreadyImportedAt: at,
      changes: [{ kvkNumber: '99990004', legalName: 'Stroopwafel', change: 'taskClosed' }],
    });
    assert.equal(
      aanImportSummary('nl', changed),
      'Deze lijst is al eerder geïmporteerd op 30 november 2026 om 01:34; het register is sindsdien veranderd (door een andere lijst of een nieuwe vermelding), dus nu verandert er wel iets. Lijst geïmporteerd: 1 regel, 1 in het register, 0 niet; 0 beëindigingen en 0 hervattingen vastgelegd, 0 beëindigingen gepland, 0 nieuwe taken, 1 taak afgesloten.',
    );
  });
});

describe('aanRejectedIntroKey: what a refused list asks to correct', () => {
  it('asks for the header line when the header is the problem, the file when it is about the whole file, else the lines', () => {
    assert.equal(aanRejectedIntroKey([{ line: 1, problem: 'missingColumns' }]), 'aan.rejectedIntroHeader');
    assert.equal(aanRejectedIntroKey([{ line: 1, problem: 'duplicateColumn' }]), 'aan.rejectedIntroHeader');
    assert.equal(aanRejectedIntroKey([{ line: 0, problem: 'encoding' }]), 'aan.rejectedIntroFile');
    assert.equal(
      aanRejectedIntroKey([
        { line: 3, problem: 'kvkNumber' },
        { line: 4, problem: 'since' },
      ]),
      'aan.rejectedIntro',
    );
  });
});
