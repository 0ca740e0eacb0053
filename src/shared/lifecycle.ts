/** Shared flag the readiness check reads: set once the process has been asked to stop. */
export interface Lifecycle {
  stopping: boolean;
}

export function createLifecycle(): Lifecycle {
  return { stopping: false };
}
