/*
 * PLACEHOLDER (workstream A): helper B writes the matcher; the lead takes B's file at the merge.
 * The signature is the agreed one, so that signal creation calls it in its own transaction.
 */
import type { EntityManager } from 'typeorm';
import type { SignalKeys } from './signal-keys';

export interface MatchSettings {
  answerDays: number;
  baseUrl: string;
}

export async function matchSignals(
  _manager: EntityManager,
  _keys: SignalKeys,
  _signalIds: string[],
  _settings: MatchSettings,
  _now: Date,
): Promise<{ matches: number; providers: number }> {
  return Promise.resolve({ matches: 0, providers: 0 });
}
