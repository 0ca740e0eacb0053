import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Provider } from '../provider/provider.entity';
import type { AttestationData } from './attestation.pdf';

/**
 * An issued attestation (verklaring): its number, the signed PDF exactly as issued and what that
 * PDF states. Never changed or removed (the database refuses it); its status is computed.
 */
@Entity({ name: 'attestations' })
export class Attestation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** VHP-<year>-<6 digits>, from a database sequence. */
  @Column({ type: 'text', unique: true })
  number: string;

  @Column({ name: 'provider_id', type: 'uuid' })
  providerId: string;

  @ManyToOne(() => Provider, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;

  /** The earlier of the listing's end and 12 months after issue. */
  @Column({ name: 'valid_until', type: 'timestamptz' })
  validUntil: Date;

  /** Who issued it: a user's e-mail address or a system actor. */
  @Column({ name: 'issued_by', type: 'text' })
  issuedBy: string;

  /** The approval whose listing the attestation rests on. */
  @Column({ name: 'listing_event_id', type: 'bigint' })
  listingEventId: string;

  @Column({ type: 'jsonb' })
  data: AttestationData;

  /** SHA-256 of the canonical data, printed on the PDF. */
  @Column({ type: 'char', length: 64 })
  fingerprint: string;

  @Column({ type: 'bytea', select: false })
  pdf?: Buffer;

  @Column({ name: 'pdf_sha256', type: 'char', length: 64, unique: true })
  pdfSha256: string;
}
