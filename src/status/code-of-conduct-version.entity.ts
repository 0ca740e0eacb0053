import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A published version of the code of conduct (gedragscode). When it is published, every older
 * version stays accepted until `transitionEndsAt` and then lapses. Until its publication instant an
 * administrator may withdraw it; a withdrawn version counts for nothing and its label is free again.
 */
@Entity({ name: 'code_of_conduct_versions' })
export class CodeOfConductVersion {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Unique among the versions not withdrawn (a partial unique index). */
  @Column({ type: 'text' })
  label: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt: Date;

  /** Until this instant, versions published before this one are still accepted. */
  @Column({ name: 'transition_ends_at', type: 'timestamptz' })
  transitionEndsAt: Date;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ name: 'withdrawn_by', type: 'text', nullable: true })
  withdrawnBy: string | null;

  /** The providers whose users the publication mailed (a withdrawal mails them again). */
  @Column({ name: 'notified_provider_ids', type: 'uuid', array: true, default: () => "'{}'" })
  notifiedProviderIds: string[];

  /** The providers on an older version the publication could not reach: no active user. */
  @Column({ name: 'unreachable_provider_ids', type: 'uuid', array: true, default: () => "'{}'" })
  unreachableProviderIds: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
