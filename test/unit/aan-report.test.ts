import assert from 'node:assert/strict';
import type { AanImportResult } from '../../src/aan/aan-import.service';
import { aanImportSummary } from '../../src/aan/aan-report';

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
