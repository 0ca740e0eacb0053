import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ApplicationMessageKind =
  | 'submitted'
  | 'review_started'
  | 'changes_requested'
  | 'approved'
  | 'rejected'
  | 'withdrawn'
  | 'provider_reply';

/** One step in an application's conversation: what happened, who did it, and their message. */
@Entity({ name: 'application_messages' })
export class ApplicationMessage {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'application_id', type: 'uuid' })
  applicationId: string;

  @Column({ type: 'text' })
  kind: ApplicationMessageKind;

  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
