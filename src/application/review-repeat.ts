import type { EntityManager } from 'typeorm';
import { User } from '../identity/user.entity';
import { ConflictError } from '../shared/errors';
import { paths } from '../shared/paths';
import type { Application } from './application.entity';
import { ApplicationMessage, type ApplicationMessageKind } from './application-message.entity';
import { NEXT_STATE, type ReviewAction } from './application-rules';

const MESSAGE_KIND: Record<ReviewAction, ApplicationMessageKind> = {
  start_review: 'review_started',
  request_changes: 'changes_requested',
  approve: 'approved',
  reject: 'rejected',
};

/**
 * The refusal of a decision that meets an application which moved on. When the decision asked for
 * is the one already taken (a double click, the back button), it says so truthfully: by whom ("you"
 * when it was the same reviewer) and when, linking back to the application; otherwise the neutral
 * conflict, with the same link.
 */
export async function decisionConflict(
  manager: EntityManager,
  application: Application,
  action: ReviewAction,
  reviewer: User,
): Promise<ConflictError> {
  const backTo = paths.reviewApplication(application.id);
  if (application.state !== NEXT_STATE[action]) return new ConflictError('errors.conflict.body', { backTo });
  const taken = await manager.findOne(ApplicationMessage, {
    where: { applicationId: application.id, kind: MESSAGE_KIND[action] },
    order: { createdAt: 'DESC', id: 'DESC' },
  });
  if (!taken) return new ConflictError('errors.conflict.body', { backTo });
  if (taken.authorId === reviewer.id)
    return new ConflictError(`review.alreadyDoneByYou.${action}`, {
      params: { when: taken.createdAt },
      backTo,
    });
  const author = await manager.findOneBy(User, { id: taken.authorId });
  return new ConflictError(`review.alreadyDone.${action}`, {
    params: { when: taken.createdAt, who: author?.name ?? '' },
    backTo,
  });
}
