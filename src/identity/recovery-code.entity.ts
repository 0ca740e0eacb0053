import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A one-time recovery code for the second factor; only its HMAC is kept (a plain SHA-256 for codes made before). */
@Entity({ name: 'recovery_codes' })
export class RecoveryCode {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'code_hash', type: 'char', length: 64 })
  codeHash: string;

  @Column({ name: 'hash_kind', type: 'text' })
  hashKind: 'sha256' | 'hmac';

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
