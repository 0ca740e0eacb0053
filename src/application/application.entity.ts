import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const APPLICATION_STATES = [
  'draft',
  'submitted',
  'in_review',
  'changes_requested',
  'approved',
  'rejected',
  'withdrawn',
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];
export type ApplicationKind = 'listing' | 'renewal';

/** A provider's request for listing or renewal (aanvraag). `version` guards against concurrent changes. */
@Entity({ name: 'applications' })
export class Application {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'provider_id', type: 'uuid' })
  providerId: string;

  @Column({ type: 'text' })
  kind: ApplicationKind;

  @Column({ type: 'text' })
  state: ApplicationState;

  @Column({ name: 'code_of_conduct_version_id', type: 'uuid', nullable: true })
  codeOfConductVersionId: string | null;

  @Column({ name: 'code_signed_on', type: 'date', nullable: true })
  codeSignedOn: string | null;

  @Column({ name: 'signatory_name', type: 'text', nullable: true })
  signatoryName: string | null;

  @Column({ name: 'signatory_role', type: 'text', nullable: true })
  signatoryRole: string | null;

  @Column({ name: 'aan_since', type: 'date', nullable: true })
  aanSince: string | null;

  @Column({ name: 'aan_contact_name', type: 'text', nullable: true })
  aanContactName: string | null;

  @Column({ name: 'aan_contact_email', type: 'text', nullable: true })
  aanContactEmail: string | null;

  /**
   * Details as the provider typed them when they could not be stored in the fields above yet (an
   * impossible date, a malformed address): kept so that no action on the page loses them, shown
   * with their errors until they are saved correctly. Null when the fields above are what was typed.
   */
  @Column({ name: 'typed_details', type: 'jsonb', nullable: true })
  typedDetails: Record<string, string> | null;

  /** The organisation's earlier application this one started from (its details copied), if any. */
  @Column({ name: 'started_from', type: 'uuid', nullable: true })
  startedFrom: string | null;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'reviewer_id', type: 'uuid', nullable: true })
  reviewerId: string | null;

  @VersionColumn({ type: 'integer' })
  version: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
