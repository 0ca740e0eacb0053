import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const EVIDENCE_KINDS = ['code_of_conduct', 'aan_confirmation', 'other'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** An uploaded PDF (bewijsstuk), kept in the database with its SHA-256. */
@Entity({ name: 'evidence' })
export class Evidence {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'application_id', type: 'uuid' })
  applicationId: string;

  @Column({ type: 'text' })
  kind: EvidenceKind;

  @Column({ type: 'text' })
  filename: string;

  @Column({ type: 'integer' })
  size: number;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'bytea', select: false })
  content: Buffer;

  @Column({ name: 'uploaded_by', type: 'uuid' })
  uploadedBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
