import type { DataSource, EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { insertReviewTask } from '../provider/review-tasks';
import type { Config } from '../config';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { randomToken, sha256Hex } from '../shared/tokens';
import { issueToken } from './account-token.service';
import { addUser } from './account.service';
import { type ExtractMediaType, type ExtractUpload, storeExtract } from './kvk-extract';
import { handOverOrganisation } from './organisation-transfer';
import {
  lastHandOver,
  type OrganisationAccount,
  organisationAccounts,
  provenByEherkenning,
} from './organisation-accounts';
import { User } from './user.entity';

/*
 * A claim: the real owner of a KvK number that someone else registered shows, with an extract from
 * the Business Register, that the organisation is theirs. The claim is stored as sent, with its
 * extract, and waits for its sender to confirm their address through a single-use link; only then
 * does it reach a reviewer (a review task `organisation_claim`), who approves it (the organisation
 * moves to a new account of the claimant: handOverOrganisation) or rejects it with a reason. The
 * form answers the same whatever the number: whether it is registered is said only to the
 * confirmed address. The claimant's details stay in the claims table, never in public output or
 * in an audit event's data (the address goes in `personal`).
 */

/** How long the link to confirm a claim's address works. */
export const CLAIM_CONFIRM_HOURS = 48;
/** How long the link a claimant chooses a password with works, once the claim is approved. */
export const CLAIM_PASSWORD_DAYS = 7;
/** The longest reason of a rejection. */
export const CLAIM_REASON_MAX = 2000;

export interface ClaimInput {
  kvkNumber: string;
  name: string;
  email: string;
  phone: string;
  companyRole: string;
  message: string;
}

/** Stores a claim and its extract, and mails the link that confirms the address. */
export async function submitClaim(
  dataSource: DataSource,
  input: ClaimInput,
  extract: { file: ExtractUpload & { buffer: Buffer }; mediaType: ExtractMediaType },
  config: Pick<Config, 'publicBaseUrl'>,
  now: Date,
): Promise<void> {
  const token = randomToken();
  const email = input.email.trim().toLowerCase();
  await dataSource.transaction(async (manager) => {
    const [claim] = await manager.query<{ id: string }[]>(
      `INSERT INTO organisation_claims
         (kvk_number, claimant_name, email, phone, company_role, message, confirm_token_hash, confirm_expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        input.kvkNumber,
        input.name,
        email,
        input.phone,
        input.companyRole,
        input.message.trim(),
        sha256Hex(token),
        new Date(now.getTime() + CLAIM_CONFIRM_HOURS * 3600 * 1000),
        now,
      ],
    );
    if (!claim) throw new Error('INSERT … RETURNING gave no row');
    await storeExtract(manager, { claimId: claim.id }, extract, 'anonymous', now);
    await queueMail(
      manager,
      mailTexts.claimConfirm(email, input.kvkNumber, `${config.publicBaseUrl}${paths.claimConfirm(token)}`),
    );
    await appendAuditEvent(manager, now, {
      actor: 'anonymous',
      action: 'claim.submitted',
      subjectType: 'claim',
      subjectId: claim.id,
      data: { kvkNumber: input.kvkNumber, extractSha256: extract.file.sha256, mediaType: extract.mediaType },
      personal: { email },
    });
  });
}

interface ClaimRow {
  id: string;
  kvk_number: string;
  claimant_name: string;
  email: string;
  phone: string;
  company_role: string;
  message: string;
  confirm_expires_at: Date;
  created_at: Date;
  confirmed_at: Date | null;
  provider_id: string | null;
  decision: string | null;
}

/** Whether a confirmation link can still be used: for its page. */
export async function claimLinkUsable(dataSource: DataSource, token: string, now: Date): Promise<boolean> {
  const [row] = await dataSource.query<{ id: string }[]>(
    `SELECT id FROM organisation_claims
      WHERE confirm_token_hash = $1 AND confirmed_at IS NULL AND decision IS NULL AND confirm_expires_at > $2`,
    [sha256Hex(token), now],
  );
  return Boolean(row);
}

/** The KvK number of the claim a usable confirmation link is for; undefined otherwise. */
export async function claimLinkKvk(
  dataSource: DataSource,
  token: string,
  now: Date,
): Promise<string | undefined> {
  const [row] = await dataSource.query<{ kvk_number: string }[]>(
    `SELECT kvk_number FROM organisation_claims
      WHERE confirm_token_hash = $1 AND confirmed_at IS NULL AND decision IS NULL AND confirm_expires_at > $2`,
    [sha256Hex(token), now],
  );
  return row?.kvk_number;
}

/**
 * The claimant confirms their address (the link works once). A claim of a registered number
 * becomes a review task; a claim of a number nobody registered is closed, and the claimant hears
 * that they can register it. The page says the same either way.
 */
export async function confirmClaim(
  dataSource: DataSource,
  token: string,
  config: Pick<Config, 'publicBaseUrl' | 'contactEmail'>,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const [claim] = await manager.query<ClaimRow[]>(
      `SELECT * FROM organisation_claims
        WHERE confirm_token_hash = $1 AND confirmed_at IS NULL AND decision IS NULL AND confirm_expires_at > $2
        FOR UPDATE`,
      [sha256Hex(token), now],
    );
    if (!claim) throw new ValidationError({ token: ['validation.linkInvalid'] });
    const provider = await manager.findOneBy(Provider, { kvkNumber: claim.kvk_number });
    if (!provider) {
      await manager.query(
        `UPDATE organisation_claims SET confirmed_at = $2, decision = 'no_organisation', decided_at = $2, decided_by = 'system'
          WHERE id = $1`,
        [claim.id, now],
      );
      await queueMail(
        manager,
        mailTexts.claimNothingToClaim(
          claim.email,
          claim.kvk_number,
          `${config.publicBaseUrl}${paths.signup}`,
        ),
      );
      await appendAuditEvent(manager, now, {
        actor: 'anonymous',
        action: 'claim.closed',
        subjectType: 'claim',
        subjectId: claim.id,
        data: { kvkNumber: claim.kvk_number },
      });
      return;
    }
    await manager.query(`UPDATE organisation_claims SET confirmed_at = $2, provider_id = $3 WHERE id = $1`, [
      claim.id,
      now,
      provider.id,
    ]);
    // One open task per organisation: a second claim waits beside the first on the provider's page.
    await insertReviewTask(
      manager,
      { providerId: provider.id, kind: 'organisation_claim', detail: null },
      now,
    );
    await queueMail(manager, mailTexts.claimReceived(claim.email, claim.kvk_number, config.contactEmail));
    await appendAuditEvent(manager, now, {
      actor: 'anonymous',
      action: 'claim.confirmed',
      subjectType: 'claim',
      subjectId: claim.id,
      data: { kvkNumber: claim.kvk_number, providerId: provider.id },
    });
  });
}

/** A claim waiting for a reviewer, as the provider's page shows it to staff. */
export interface OpenClaim {
  id: string;
  name: string;
  email: string;
  phone: string;
  companyRole: string;
  message: string;
  createdAt: Date;
  confirmedAt: Date;
  extracts: {
    id: string;
    filename: string;
    sha256: string;
    mediaType: string;
    size: number;
    /** The other KvK numbers the same file (by SHA-256) was sent for, in a claim or an identity confirmation. */
    alsoForKvk: string[];
  }[];
}

/**
 * SQL, for a row `x` of kvk_extracts of a claim `c`: the other KvK numbers a file with the same
 * SHA-256 was sent for (a claim's number, or the number of the provider a reviewer confirmed with it).
 * One file that "proves" two companies is no extract from the Business Register.
 */
const EXTRACT_ALSO_FOR = `coalesce((SELECT jsonb_agg(DISTINCT k.kvk ORDER BY k.kvk)
   FROM (SELECT coalesce(oc.kvk_number, op.kvk_number) AS kvk
           FROM kvk_extracts o
           LEFT JOIN organisation_claims oc ON oc.id = o.claim_id
           LEFT JOIN providers op ON op.id = o.provider_id
          WHERE o.sha256 = x.sha256 AND o.id <> x.id) k
  WHERE k.kvk <> c.kvk_number), '[]'::jsonb)`;

/** The confirmed claims of a provider that wait for a decision, oldest first. */
export async function openClaims(manager: EntityManager, providerId: string): Promise<OpenClaim[]> {
  return manager.query<OpenClaim[]>(
    `SELECT c.id, c.claimant_name AS name, c.email, c.phone, c.company_role AS "companyRole", c.message,
            c.created_at AS "createdAt", c.confirmed_at AS "confirmedAt",
            coalesce((SELECT jsonb_agg(jsonb_build_object('id', x.id, 'filename', x.filename, 'sha256', x.sha256,
                                                          'mediaType', x.media_type, 'size', x.size,
                                                          'alsoForKvk', ${EXTRACT_ALSO_FOR}) ORDER BY x.created_at)
                        FROM kvk_extracts x WHERE x.claim_id = c.id), '[]'::jsonb) AS extracts
       FROM organisation_claims c
      WHERE c.provider_id = $1 AND c.confirmed_at IS NOT NULL AND c.decision IS NULL
      ORDER BY c.created_at`,
    [providerId],
  );
}

/**
 * Why a claim cannot be approved, as a refusal next to its approve button: eHerkenning proved the
 * organisation (its owner logs in with eHerkenning; a claim with a file anyone can make never
 * outweighs that), or the claim's address has an account already.
 */
async function assertApprovable(
  manager: EntityManager,
  claim: { provider_id: string | null; email: string },
) {
  if (claim.provider_id && (await provenByEherkenning(manager, claim.provider_id)))
    throw new ValidationError({ decision: ['claim.provenByEherkenning'] });
  if (await manager.existsBy(User, { email: claim.email }))
    throw new ValidationError({ decision: ['claim.accountExists'] });
}

/** What approving a claim would do, for its confirmation page (nothing is stored). */
export interface ClaimApprovalPreview {
  claim: { id: string; name: string; email: string; kvkNumber: string; createdAt: Date };
  providerId: string;
  /** The accounts that lose access to the organisation when it is handed over. */
  losingAccess: OrganisationAccount[];
  lastHandOver: Awaited<ReturnType<typeof lastHandOver>>;
  /** Other KvK numbers the claim's extract (the same file) was submitted for. */
  extractAlsoFor: string[];
}

/**
 * Checks that a reviewer may approve a claim now (the same checks as the decision) and answers what
 * the approval would do: the confirmation page shows it before anything changes.
 */
export async function previewClaimApproval(
  dataSource: DataSource,
  reviewer: User,
  claimId: string,
): Promise<ClaimApprovalPreview> {
  if (!/^[0-9a-f-]{36}$/i.test(claimId)) throw new NotFoundError(`claim ${claimId}`);
  const manager = dataSource.manager;
  const [claim] = await manager.query<ClaimRow[]>(
    `SELECT * FROM organisation_claims WHERE id::text = $1 AND confirmed_at IS NOT NULL`,
    [claimId],
  );
  if (!claim?.provider_id) throw new NotFoundError(`claim ${claimId}`);
  if (reviewer.providerId === claim.provider_id) throw new ForbiddenError('review.ownOrganisation');
  if (claim.decision) throw new ConflictError('claim.decidedAlready');
  await assertApprovable(manager, claim);
  const accounts = await organisationAccounts(manager, claim.provider_id);
  const [reuse] = await manager.query<{ kvk: string[] }[]>(
    `SELECT coalesce(jsonb_agg(DISTINCT k ORDER BY k), '[]'::jsonb) AS kvk
       FROM kvk_extracts x JOIN organisation_claims c ON c.id = x.claim_id,
            jsonb_array_elements_text(${EXTRACT_ALSO_FOR}) AS k
      WHERE x.claim_id = $1`,
    [claim.id],
  );
  return {
    claim: {
      id: claim.id,
      name: claim.claimant_name,
      email: claim.email,
      kvkNumber: claim.kvk_number,
      createdAt: claim.created_at,
    },
    providerId: claim.provider_id,
    losingAccess: accounts.filter((a) => !a.disabledAt),
    lastHandOver: await lastHandOver(manager, claim.provider_id),
    extractAlsoFor: reuse?.kvk ?? [],
  };
}

export interface ClaimDecision {
  decision: 'approve' | 'reject';
  reason: string;
}

/**
 * A reviewer decides on a claim. Approved: the claimant gets a provider account of the
 * organisation (their address is confirmed: the claim's link reached it), chooses a password
 * through a single-use link, and the organisation is handed over to them (every other account
 * loses access; its identity counts as confirmed by the extract). Rejected: the claimant hears
 * why. Never on the reviewer's own organisation; a claim decided meanwhile is a conflict. The open
 * claim task closes when no claim of the organisation waits any more. Answers the KvK number.
 */
export async function decideClaim(
  dataSource: DataSource,
  reviewer: User,
  claimId: string,
  input: ClaimDecision,
  config: Pick<Config, 'publicBaseUrl' | 'contactEmail'>,
  now: Date,
): Promise<string> {
  if (!/^[0-9a-f-]{36}$/i.test(claimId)) throw new NotFoundError(`claim ${claimId}`);
  const reason = input.reason.trim();
  if (input.decision === 'reject' && !reason) throw new ValidationError({ reason: ['claim.reasonRequired'] });
  if (reason.length > CLAIM_REASON_MAX)
    throw new ValidationError({ reason: ['validation.tooLong'] }, undefined, { max: CLAIM_REASON_MAX });
  const actor = actorOf(reviewer);
  return dataSource.transaction(async (manager) => {
    const [claim] = await manager.query<ClaimRow[]>(
      `SELECT * FROM organisation_claims WHERE id::text = $1 AND confirmed_at IS NOT NULL FOR UPDATE`,
      [claimId],
    );
    if (!claim?.provider_id) throw new NotFoundError(`claim ${claimId}`);
    if (reviewer.providerId === claim.provider_id) throw new ForbiddenError('review.ownOrganisation');
    if (claim.decision) throw new ConflictError('claim.decidedAlready');
    const provider = await manager.findOneByOrFail(Provider, { id: claim.provider_id });
    const [extract] = await manager.query<{ sha256: string }[]>(
      `SELECT sha256 FROM kvk_extracts WHERE claim_id = $1 ORDER BY created_at LIMIT 1`,
      [claim.id],
    );
    let userId: string | null = null;
    if (input.decision === 'approve') {
      await assertApprovable(manager, claim);
      // No password yet: the claimant chooses one through the link; until then nobody can sign in.
      const user = await addUser(
        manager,
        {
          email: claim.email,
          name: claim.claimant_name,
          role: 'provider',
          providerId: provider.id,
          passwordHash: `!unset:${randomToken()}`,
          // The claim's address was confirmed through its own link.
          emailVerifiedAt: now,
        },
        actor,
        now,
      );
      userId = user.id;
      const token = await issueToken(
        manager,
        {
          purpose: 'password_reset',
          email: user.email,
          userId: user.id,
          providerId: null,
          role: null,
          createdBy: reviewer.id,
        },
        CLAIM_PASSWORD_DAYS * 24 * 3600 * 1000,
        now,
      );
      await handOverOrganisation(manager, {
        providerId: provider.id,
        toUserId: user.id,
        how: 'claim',
        actor,
        config,
        now,
        detail: { claimId: claim.id, extractSha256: extract?.sha256 ?? null },
        ownerLink: `${config.publicBaseUrl}${paths.resetPassword(token)}`,
      });
    } else {
      await queueMail(
        manager,
        mailTexts.claimRejected(
          claim.email,
          provider.legalName,
          claim.kvk_number,
          reason,
          config.contactEmail,
        ),
      );
    }
    await manager.query(
      `UPDATE organisation_claims SET decision = $2, decided_at = $3, decided_by = $4, decision_reason = $5, user_id = $6
        WHERE id = $1`,
      [claim.id, input.decision === 'approve' ? 'approved' : 'rejected', now, actor, reason || null, userId],
    );
    const [waiting] = await manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM organisation_claims
        WHERE provider_id = $1 AND confirmed_at IS NOT NULL AND decision IS NULL`,
      [provider.id],
    );
    if (!waiting?.n)
      await manager.query(
        `UPDATE review_tasks SET resolved_at = $2
          WHERE provider_id = $1 AND kind = 'organisation_claim' AND resolved_at IS NULL`,
        [provider.id, now],
      );
    await appendAuditEvent(manager, now, {
      actor,
      action: input.decision === 'approve' ? 'claim.approved' : 'claim.rejected',
      subjectType: 'claim',
      subjectId: claim.id,
      data: {
        providerId: provider.id,
        kvkNumber: claim.kvk_number,
        extractSha256: extract?.sha256 ?? null,
        ...(userId ? { userId } : { reason }),
      },
    });
    return provider.kvkNumber;
  });
}

/** The KvK number of the organisation a confirmed claim is about; not found otherwise. */
export async function claimProviderKvk(dataSource: DataSource, claimId: string): Promise<string> {
  const [row] = /^[0-9a-f-]{36}$/i.test(claimId)
    ? await dataSource.query<{ kvk_number: string }[]>(
        `SELECT p.kvk_number FROM organisation_claims c JOIN providers p ON p.id = c.provider_id WHERE c.id::text = $1`,
        [claimId],
      )
    : [];
  if (!row) throw new NotFoundError(`claim ${claimId}`);
  return row.kvk_number;
}
