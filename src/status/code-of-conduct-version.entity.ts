import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A published version of the code of conduct (gedragscode). When it is published, every older
 * version stays accepted until `transitionEndsAt` and then lapses.
 */
@Entity({ name: 'code_of_conduct_versions' })
export class CodeOfConductVersion {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  label: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt: Date;

  /** Until this instant, versions published before this one are still accepted. */
  @Column({ name: 'transition_ends_at', type: 'timestamptz' })
  transitionEndsAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
