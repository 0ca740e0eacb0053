import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One entry of the append-only, hash-chained audit log (auditregel). `hash` covers `prevHash` and
 * the event's canonical JSON; the database refuses UPDATE, DELETE and TRUNCATE on the table.
 */
@Entity({ name: 'audit_events' })
export class AuditEvent {
  /** Taken from the table's sequence while holding the chain lock, so id order is chain order. */
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'subject_type', type: 'text' })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'text' })
  subjectId: string;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash: string;

  @Column({ type: 'char', length: 64, unique: true })
  hash: string;
}
