import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { EmailDto } from '../identity/account.dto';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { formValues, validated } from '../shared/validation';
import {
  allSignalSuppliers,
  createSignalSupplier,
  inviteToSignalSupplier,
  renameSignalSupplier,
  setSignalSupplierPersonDisabled,
  signalSupplierOverview,
  supplierOfPerson,
} from '../signals/signal-supplier.service';
import { requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';

const NOTICES: Record<string, string> = {
  '1': 'signalSuppliers.saved',
  uitgenodigd: 'signalSuppliers.invited',
};

/**
 * /beheer/signaalleveranciers (issue 19): administrators add and rename signal supplier
 * organisations, invite their people and disable or enable them.
 */
export function signalSupplierRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const admins = requireRole(config, 'admin');

  const listModel = async () => ({
    title: 'signalSuppliers.title',
    suppliers: (await allSignalSuppliers(dataSource.manager)).map((s) => ({
      ...s,
      url: paths.signalSupplier(s.id),
    })),
  });
  const showModel = async (id: string, now: Date, notice?: string) => {
    const { supplier, people, invitations } = await signalSupplierOverview(dataSource.manager, id, now);
    return {
      title: 'signalSuppliers.showTitle',
      supplier,
      notice,
      nameUrl: paths.signalSupplier(supplier.id),
      inviteUrl: paths.signalSupplierInvite(supplier.id),
      people: people.map((p) => ({ ...p, statusUrl: paths.signalSupplierUserStatus(p.id) })),
      invitations,
    };
  };

  router.get(paths.signalSuppliers, ...admins, async (_req, res) => {
    res.render('admin/signal-suppliers', { ...(await listModel()), values: {} });
  });

  router.post(paths.signalSuppliers, ...admins, async (req, res) => {
    const values = formValues(req.body, ['signalSupplierName']);
    setFormContext(res, {
      view: 'admin/signal-suppliers',
      load: async () => ({ model: await listModel(), values }),
    });
    const id = await createSignalSupplier(dataSource, req.user!, values.signalSupplierName, requestTime(res));
    res.redirect(303, paths.signalSupplier(id));
  });

  router.get(paths.signalSupplier(), ...admins, async (req, res) => {
    const notice = typeof req.query.gewijzigd === 'string' ? NOTICES[req.query.gewijzigd] : undefined;
    const model = await showModel(String(req.params.id), requestTime(res), notice);
    res.render('admin/signal-supplier', { ...model, values: { signalSupplierName: model.supplier.name } });
  });

  router.post(paths.signalSupplier(), ...admins, async (req, res) => {
    const id = String(req.params.id);
    const values = formValues(req.body, ['signalSupplierName']);
    setFormContext(res, {
      view: 'admin/signal-supplier',
      load: async () => ({ model: await showModel(id, requestTime(res)), values }),
    });
    await renameSignalSupplier(dataSource, req.user!, id, values.signalSupplierName, requestTime(res));
    res.redirect(303, `${paths.signalSupplier(id)}?gewijzigd=1`);
  });

  router.post(paths.signalSupplierInvite(), ...admins, async (req, res) => {
    const id = String(req.params.id);
    const values = formValues(req.body, ['email']);
    setFormContext(res, {
      view: 'admin/signal-supplier',
      load: async () => {
        const model = await showModel(id, requestTime(res));
        return { model, values: { ...values, signalSupplierName: model.supplier.name } };
      },
    });
    // An unknown organisation is a 404 before the address is looked at.
    await signalSupplierOverview(dataSource.manager, id, requestTime(res));
    const { email } = await validated(EmailDto, { email: values.email });
    await inviteToSignalSupplier(dataSource, req.user!, id, email, config.publicBaseUrl, requestTime(res));
    res.redirect(303, `${paths.signalSupplier(id)}?gewijzigd=uitgenodigd`);
  });

  router.post(paths.signalSupplierUserStatus(), ...admins, async (req, res) => {
    const personId = String(req.params.id);
    // A refusal (an erased person cannot be enabled) shows on their organisation's page.
    setFormContext(res, {
      view: 'admin/signal-supplier',
      load: async () => {
        const model = await showModel(
          (await supplierOfPerson(dataSource.manager, personId)) ?? '',
          requestTime(res),
        );
        return { model, values: { signalSupplierName: model.supplier.name } };
      },
      anchors: { signalSupplierPerson: 'mensen' },
    });
    const { action } = formValues(req.body, ['action']);
    if (action !== 'enable' && action !== 'disable')
      throw new ValidationError({ signalSupplierPerson: ['buyers.unknownAction'] });
    const supplierId = await setSignalSupplierPersonDisabled(
      dataSource,
      req.user!,
      personId,
      action === 'disable',
      requestTime(res),
    );
    res.redirect(303, `${paths.signalSupplier(supplierId)}?gewijzigd=1`);
  });

  return router;
}
