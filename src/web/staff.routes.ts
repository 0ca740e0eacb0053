import { Router } from 'express';
import { IsIn } from 'class-validator';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { setFormContext } from './error-handler';
import { paths } from '../shared/paths';
import { formValues, validated } from '../shared/validation';
import { EmailDto } from '../identity/account.dto';
import { inviteStaff } from '../identity/invitation.service';
import { requireRole } from './auth';
import { changeStaffRole, setStaffDisabled, staffMembers } from '../identity/staff.service';
import { type Role, STAFF_ROLES } from '../identity/user.entity';
import { requestTime } from './clock';

class StaffRoleDto {
  @IsIn(STAFF_ROLES, { message: 'validation.invalid' })
  role: string;
}

/** Administrators manage staff accounts: invite, change role, disable or enable; never delete. */
export function staffRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const admins = requireRole(config, 'admin');
  const model = async (notice?: string) => ({
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
    roleOptions: STAFF_ROLES.map((value) => ({ value, labelKey: `roles.${value}` })),
    notice,
  });

  router.get(paths.staff, ...admins, async (req, res) => {
    res.render('account/staff-list', {
      ...(await model(req.query.gewijzigd === '1' ? 'staff.saved' : undefined)),
      values: {},
    });
  });

  router.post(paths.staff, ...admins, async (req, res) => {
    const values = formValues(req.body, ['email', 'role']);
    setFormContext(res, { view: 'account/staff-list', load: async () => ({ model: await model(), values }) });
    const { email } = await validated(EmailDto, { email: values.email });
    const { role } = await validated(StaffRoleDto, { role: values.role });
    await inviteStaff(dataSource, req.user!, email, role as Role, config.publicBaseUrl, requestTime(res));
    res.redirect(303, `${paths.staff}?gewijzigd=1`);
  });

  router.post(paths.staffRole(), ...admins, async (req, res) => {
    const { role } = await validated(StaffRoleDto, formValues(req.body, ['role']));
    await changeStaffRole(dataSource, req.user!, String(req.params.id), role as Role, requestTime(res));
    res.redirect(303, `${paths.staff}?gewijzigd=1`);
  });

  router.post(paths.staffStatus(), ...admins, async (req, res) => {
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

  return router;
}
