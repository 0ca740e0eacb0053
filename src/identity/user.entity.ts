import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ROLES = ['provider', 'reviewer', 'auditor', 'admin', 'buyer', 'signal_supplier'] as const;
export type Role = (typeof ROLES)[number];
/** How a buyer hears of changes on their watch lists: each at once, one digest a day, or not by mail. */
export const WATCH_MAIL = ['at_once', 'daily', 'none'] as const;
export type WatchMail = (typeof WATCH_MAIL)[number];
export const STAFF_ROLES: readonly Role[] = ['reviewer', 'auditor', 'admin'];

/** A person with one role (gebruiker). Provider users act for one organisation. */
@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Always lower case. */
  @Column({ type: 'text', unique: true })
  email: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: Role;

  /** Provider users: their organisation. Staff: an organisation they belong to (conflict of interest). */
  @Column({ name: 'provider_id', type: 'uuid', nullable: true })
  providerId: string | null;

  /** Buyers (inkopers): the government organisation of their address's domain. */
  @Column({ name: 'buyer_organisation_id', type: 'uuid', nullable: true })
  buyerOrganisationId: string | null;

  /** Signal suppliers (issue 19): the organisation (e.g. the police) they send signals for. */
  @Column({ name: 'signal_supplier_id', type: 'uuid', nullable: true })
  signalSupplierId: string | null;

  /** Buyers: how they are mailed about their watch lists (issue 18). */
  @Column({ name: 'watch_mail', type: 'text', default: 'at_once' })
  watchMail: WatchMail;

  /** Null for an account that logs in with eHerkenning only (it has `oidcSubject`). */
  @Column({ name: 'password_hash', type: 'text', nullable: true, select: false })
  passwordHash: string | null;

  /**
   * An eHerkenning login's person: the broker's issuer and the `sub` it gives them (unique
   * together). Null for password accounts.
   */
  @Column({ name: 'oidc_issuer', type: 'text', nullable: true })
  oidcIssuer: string | null;

  @Column({ name: 'oidc_subject', type: 'text', nullable: true })
  oidcSubject: string | null;

  /** Encrypted with the secrets key (`v1:…`). */
  @Column({ name: 'totp_secret', type: 'text', nullable: true, select: false })
  totpSecret: string | null;

  /** The TOTP time step of the last accepted code: that step and earlier ones are refused. */
  @Column({ name: 'totp_last_step', type: 'bigint', nullable: true, select: false })
  totpLastStep: string | null;

  @Column({ name: 'totp_enabled_at', type: 'timestamptz', nullable: true })
  totpEnabledAt: Date | null;

  /**
   * When the person showed the address is theirs (a single-use link, or an invitation that reached
   * it); until then a password account can do nothing.
   */
  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export function isStaff(user: Pick<User, 'role'>): boolean {
  return STAFF_ROLES.includes(user.role);
}

/**
 * Whether the account must sign in with a second factor when staff must (STAFF_2FA_REQUIRED):
 * staff, and signal suppliers (issue 19), whose signals are as confidential as anything staff see.
 */
export function needsStaffSecondFactor(user: Pick<User, 'role'>): boolean {
  return isStaff(user) || user.role === 'signal_supplier';
}

/**
 * Whether the account must still confirm its e-mail address before it may do anything (issue 17
 * §2): a password account whose address no link has reached yet. The one place this rule lives:
 * an account that signs in another way (eHerkenning) joins it here.
 */
export function needsEmailConfirmation(user: Pick<User, 'emailVerifiedAt' | 'oidcSubject'>): boolean {
  // An eHerkenning person proved who they are to the broker; their address is only for mail.
  return user.emailVerifiedAt === null && user.oidcSubject === null;
}

/** Whether the account may act at all: not disabled, and its address confirmed where that is asked. */
export function mayAct(user: Pick<User, 'emailVerifiedAt' | 'oidcSubject' | 'disabledAt'>): boolean {
  return !user.disabledAt && !needsEmailConfirmation(user);
}
