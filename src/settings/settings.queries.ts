import type { EntityManager } from 'typeorm';
import type { ReviewerNotification } from '../config';

export interface SettingRow {
  key: string;
  /** The jsonb value as stored. */
  value: unknown;
}

/** Every stored setting. */
export function settingRows(manager: EntityManager): Promise<SettingRow[]> {
  return manager.query<SettingRow[]>('SELECT key, value FROM settings');
}

/** The stored reminder days, or undefined when none are stored. */
export async function storedReminderDays(manager: EntityManager): Promise<number[] | undefined> {
  const [row] = await manager.query<{ value: number[] }[]>(
    `SELECT value FROM settings WHERE key = 'reminderDays'`,
  );
  return row?.value;
}

/** The stored reviewer notification mode, or undefined when none is stored. */
export async function storedReviewerNotification(
  manager: EntityManager,
): Promise<ReviewerNotification | undefined> {
  const [row] = await manager.query<{ value: ReviewerNotification }[]>(
    `SELECT value FROM settings WHERE key = 'reviewerNotification'`,
  );
  return row?.value;
}

/** Keeps other writers of settings out until the caller's transaction ends (readers go on). */
export async function lockSettings(manager: EntityManager): Promise<void> {
  await manager.query('LOCK TABLE settings IN SHARE ROW EXCLUSIVE MODE');
}

export async function upsertSetting(
  manager: EntityManager,
  key: string,
  value: unknown,
  updatedAt: Date,
  updatedBy: string,
): Promise<void> {
  await manager.query(
    `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    [key, JSON.stringify(value), updatedAt, updatedBy],
  );
}
