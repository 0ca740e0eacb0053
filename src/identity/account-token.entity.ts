import { Column, CreateDateColumn, Entity, Generated, PrimaryColumn } from 'typeorm';
import type { Role } from './user.entity';

export type TokenPurpose = 'invitation' | 'password_reset' | 'email_confirmation' | 'registration';

/**
 * A single-use link (invitation, password reset, e-mail confirmation, a pending registration); only
 * the SHA-256 of its token is kept.
 */
@Entity({ name: 'account_tokens' })
export class AccountToken {
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  /** Names the token in forms (revoking an invitation); the hash never leaves the database. */
  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  id: string;

  @Column({ type: 'text' })
  purpose: TokenPurpose;

  @Column({ type: 'text' })
  email: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'provider_id', type: 'uuid', nullable: true })
  providerId: string | null;

  @Column({ type: 'text', nullable: true })
  role: Role | null;

  /** An invitation of a signal supplier's person (issue 19): the organisation they will send signals for. */
  @Column({ name: 'signal_supplier_id', type: 'uuid', nullable: true })
  signalSupplierId?: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  /** A pending registration's form and password hash, sealed (secrets.ts); null for every other purpose. */
  @Column({ type: 'text', nullable: true })
  payload: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  /** A revoked invitation is also marked used, so every check of a link refuses it. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
