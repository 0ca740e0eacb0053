import { Router } from 'express';
import { IsIn } from 'class-validator';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { setFormContext } from './error-handler';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { formValues, validated } from '../shared/validation';
import { EmailDto } from '../identity/account.dto';
import {
  inviteStaff,
  openStaffInvitations,
  resendStaffInvitation,
  revokeStaffInvitation,
} from '../identity/invitation.service';
import { requireRole } from './auth';
import { changeStaffRole, setStaffDisabled, staffMembers } from '../identity/staff.service';
import { type Role, STAFF_ROLES } from '../identity/user.entity';
import { requestTime } from './clock';

class StaffRoleDto {
  @IsIn(STAFF_ROLES, { message: 'validation.invalid' })
  role: string;
}

/** What the staff page says after a change that worked. */
const NOTICES: Record<string, string> = {
  '1': 'staff.saved',
  ingetrokken: 'staff.invitationRevoked',
  verstuurd: 'staff.invitationResent',
};

/**
 * Administrators manage staff accounts: invite, change role, disable or enable; never delete. Open
 * invitations can be revoked or sent again (a new link; the old one stops working).
 */
export function staffRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const admins = requireRole(config, 'admin');
  const model = async (now: Date, notice?: string) => ({
    title: 'staff.title',
    members: (await staffMembers(dataSource)).map((m) => ({
      ...m,
      roleKey: `roles.${m.role}`,
      roleUrl: paths.staffRole(m.id),
      statusUrl: paths.staffStatus(m.id),
      roleOptions: STAFF_ROLES.map((value) => ({
        value,
        labelKey: `roles.${value}`,
        selected: value === m.role,
      })),
    })),
    invitations: (await openStaffInvitations(dataSource)).map((i) => ({
      ...i,
      roleKey: `roles.${i.role}`,
      expired: i.expiresAt.getTime() <= now.getTime(),
      revokeUrl: paths.staffInvitationRevoke(i.id),
      resendUrl: paths.staffInvitationResend(i.id),
    })),
    roleOptions: STAFF_ROLES.map((value) => ({ value, labelKey: `roles.${value}` })),
    notice,
  });
  /** A refused change shows the staff page again, with the message at the top. */
  const pageAgain = (now: Date, values: Record<string, string> = {}, anchors?: Record<string, string>) => ({
    view: 'account/staff-list',
    load: async () => ({ model: await model(now), values }),
    anchors,
  });

  router.get(paths.staff, ...admins, async (req, res) => {
    const notice = typeof req.query.gewijzigd === 'string' ? NOTICES[req.query.gewijzigd] : undefined;
    res.render('account/staff-list', { ...(await model(requestTime(res), notice)), values: {} });
  });

  router.post(paths.staff, ...admins, async (req, res) => {
    const values = formValues(req.body, ['email', 'role']);
    setFormContext(res, pageAgain(requestTime(res), values));
    const { email } = await validated(EmailDto, { email: values.email });
    const { role } = await validated(StaffRoleDto, { role: values.role });
    await inviteStaff(dataSource, req.user!, email, role as Role, config.publicBaseUrl, requestTime(res));
    res.redirect(303, `${paths.staff}?gewijzigd=1`);
  });

  router.post(paths.staffRole(), ...admins, async (req, res) => {
    const id = String(req.params.id);
    // An error is about this member's row: the summary links to its role field, not the invite form's.
    setFormContext(res, pageAgain(requestTime(res), {}, { memberRole: `role-${id}` }));
    const { role } = formValues(req.body, ['role']);
    if (!role || !STAFF_ROLES.includes(role as Role))
      throw new ValidationError({ memberRole: ['validation.invalid'] });
    await changeStaffRole(dataSource, req.user!, id, role as Role, requestTime(res));
    res.redirect(303, `${paths.staff}?gewijzigd=1`);
  });

  router.post(paths.staffStatus(), ...admins, async (req, res) => {
    setFormContext(res, pageAgain(requestTime(res)));
    const { action } = formValues(req.body, ['action']);
    await setStaffDisabled(
      dataSource,
      req.user!,
      String(req.params.id),
      action !== 'enable',
      requestTime(res),
    );
    res.redirect(303, `${paths.staff}?gewijzigd=1`);
  });

  router.post(paths.staffInvitationRevoke(), ...admins, async (req, res) => {
    setFormContext(res, pageAgain(requestTime(res)));
    await revokeStaffInvitation(dataSource, req.user!, String(req.params.id), requestTime(res));
    res.redirect(303, `${paths.staff}?gewijzigd=ingetrokken#uitnodigingen`);
  });

  router.post(paths.staffInvitationResend(), ...admins, async (req, res) => {
    setFormContext(res, pageAgain(requestTime(res)));
    await resendStaffInvitation(
      dataSource,
      req.user!,
      String(req.params.id),
      config.publicBaseUrl,
      requestTime(res),
    );
    res.redirect(303, `${paths.staff}?gewijzigd=verstuurd#uitnodigingen`);
  });

  return router;
}
