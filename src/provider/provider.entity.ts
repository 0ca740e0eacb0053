import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type IdentityConfirmation = 'reviewer' | 'kvk_extract' | 'eherkenning' | 'seed';

/** A hosting provider (hostingprovider): the organisation that applies for listing. */
@Entity({ name: 'providers' })
export class Provider {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** KvK number: exactly 8 digits, unique (the database checks both). */
  @Column({ name: 'kvk_number', type: 'char', length: 8, unique: true })
  kvkNumber: string;

  @Column({ name: 'legal_name', type: 'text' })
  legalName: string;

  @Column({ name: 'trade_names', type: 'text', array: true, default: () => "'{}'" })
  tradeNames: string[];

  /** btw-id: NL + 9 digits + B + 2 digits. */
  @Column({ name: 'vat_number', type: 'text', nullable: true })
  vatNumber: string | null;

  @Column({ name: 'street_address', type: 'text' })
  streetAddress: string;

  @Column({ type: 'text' })
  postcode: string;

  @Column({ type: 'text' })
  city: string;

  @Column({ type: 'text', nullable: true })
  website: string | null;

  @Column({ name: 'abuse_email', type: 'text' })
  abuseEmail: string;

  @Column({ name: 'as_numbers', type: 'integer', array: true, default: () => "'{}'" })
  asNumbers: number[];

  /**
   * When a reviewer confirmed who this organisation is (explicitly, or by a first decision on one
   * of its applications); until then it appears in no public output, whatever name it chose.
   */
  @Column({ name: 'identity_confirmed_at', type: 'timestamptz', nullable: true })
  identityConfirmedAt: Date | null;

  /** Who confirmed it: a reviewer's e-mail address or a system actor such as `seed:demo`. */
  @Column({ name: 'identity_confirmed_by', type: 'text', nullable: true })
  identityConfirmedBy: string | null;

  /** How: a reviewer's decision or look, a KvK extract a reviewer checked, an eHerkenning login, demo data. */
  @Column({ name: 'identity_confirmed_how', type: 'text', nullable: true })
  identityConfirmedHow: IdentityConfirmation | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
