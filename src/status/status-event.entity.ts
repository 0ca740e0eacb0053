import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Provider } from '../provider/provider.entity';
import { CodeOfConductVersion } from './code-of-conduct-version.entity';
import { STATUS_EVENT_KINDS, type StatusEventKind } from './status-rules';

/**
 * One append-only entry of a provider's status history (statuswijziging): what changed, the
 * instant it takes effect and the instant it was recorded. Never updated: corrections are new events.
 */
@Entity({ name: 'status_events' })
export class StatusEvent {
  /** Also the order of recording. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'provider_id', type: 'uuid' })
  providerId: string;

  @ManyToOne(() => Provider, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  @Column({ type: 'text', enum: STATUS_EVENT_KINDS })
  kind: StatusEventKind;

  @Column({ name: 'effective_at', type: 'timestamptz' })
  effectiveAt: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  /** Who recorded it: a user's e-mail address or a system actor such as `seed:demo`. */
  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** listing_approved: the end of the listing. */
  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  /** listing_approved: the code-of-conduct version signed in the approved application. */
  @Column({ name: 'code_of_conduct_version_id', type: 'uuid', nullable: true })
  codeOfConductVersionId: string | null;

  @ManyToOne(() => CodeOfConductVersion, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'code_of_conduct_version_id' })
  codeOfConductVersion?: CodeOfConductVersion | null;

  /** listing_approved: the date the code was signed. */
  @Column({ name: 'code_signed_on', type: 'date', nullable: true })
  codeSignedOn: string | null;

  /** listing_approved: AAN participation since (start of that day). */
  @Column({ name: 'aan_since', type: 'timestamptz', nullable: true })
  aanSince: Date | null;

  /** Decisions on an application (submitted, approved, rejected, withdrawn): that application. */
  @Column({ name: 'application_id', type: 'uuid', nullable: true })
  applicationId: string | null;

  /** suspended: the planned end of the suspension, if any. */
  @Column({ name: 'suspended_until', type: 'timestamptz', nullable: true })
  suspendedUntil: Date | null;
}
