import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { CodeOfConductVersion } from './code-of-conduct-version.entity';
import { markAllSnapshotsDue } from './status-snapshot.service';

export type NewCodeOfConductVersion = Pick<
  CodeOfConductVersion,
  'label' | 'title' | 'publishedAt' | 'transitionEndsAt'
>;

/** Publishes a code-of-conduct version and records it in the audit log, in the caller's transaction. */
export async function publishCodeOfConductVersion(
  manager: EntityManager,
  input: NewCodeOfConductVersion,
  actor: string,
  now: Date,
): Promise<CodeOfConductVersion> {
  const version = await manager.save(manager.create(CodeOfConductVersion, input));
  await appendAuditEvent(manager, now, {
    actor,
    action: 'code_of_conduct.published',
    subjectType: 'code_of_conduct_version',
    subjectId: version.id,
    data: { ...input },
  });
  await markAllSnapshotsDue(manager);
  return version;
}
