import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { EmailDto } from '../identity/account.dto';
import { type ApiKeyActor, listApiKeys, revokeApiKey } from '../api-keys/api-key.service';
import { actorOf } from '../audit/actor';
import type { User } from '../identity/user.entity';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isUuid } from '../shared/identifiers';
import { paths } from '../shared/paths';
import { formValues, validated } from '../shared/validation';
import {
  allSignalSuppliers,
  createSignalSupplier,
  inviteToSignalSupplier,
  renameSignalSupplier,
  setSignalSupplierPersonDisabled,
  setSignalSupplierSuspended,
  signalSupplierOverview,
  supplierOfPerson,
} from '../signals/signal-supplier.service';
import { requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';

const NOTICES: Record<string, string> = {
  '1': 'signalSuppliers.saved',
  uitgenodigd: 'signalSuppliers.invited',
  geschorst: 'signalSuppliers.suspendedNotice',
  hersteld: 'signalSuppliers.reinstatedNotice',
  ingetrokken: 'apiKeys.revokedNotice',
};

/**
 * /beheer/signaalleveranciers (issue 19): administrators add and rename signal supplier
 * organisations, invite their people and disable or enable them; see and revoke an organisation's
 * API keys, and suspend or reinstate the whole organisation (tester's F22).
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
    // The organisation's keys as its own key page lists them (F22), each with the way to revoke it.
    const keys = await listApiKeys(dataSource.manager, supplier.id, 'signal_supplier');
    return {
      title: 'signalSuppliers.showTitle',
      supplier,
      notice,
      nameUrl: paths.signalSupplier(supplier.id),
      inviteUrl: paths.signalSupplierInvite(supplier.id),
      statusUrl: paths.signalSupplierStatus(supplier.id),
      people: people.map((p) => ({ ...p, statusUrl: paths.signalSupplierUserStatus(p.id) })),
      invitations,
      keys: keys.map((k) => ({ ...k, revokeUrl: paths.signalSupplierApiKeyRevoke(supplier.id, k.id) })),
    };
  };
  /** An administrator acts on a supplier's keys as the supplier's own people do, in its name. */
  const keyActor = (admin: User, supplierId: string): ApiKeyActor => ({
    organisationId: supplierId,
    userId: admin.id,
    actor: actorOf(admin),
    owner: 'signal_supplier',
  });

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

  router.post(paths.signalSupplierStatus(), ...admins, async (req, res) => {
    const id = String(req.params.id);
    const { action } = formValues(req.body, ['action']);
    setFormContext(res, {
      view: 'admin/signal-supplier',
      anchors: { signalSupplierStatus: 'schorsing' },
      load: async () => {
        const model = await showModel(id, requestTime(res));
        return { model, values: { signalSupplierName: model.supplier.name } };
      },
    });
    // Only the two buttons' values: anything else is refused, never read as "suspend".
    if (action !== 'suspend' && action !== 'reinstate')
      throw new ValidationError({ signalSupplierStatus: ['signalSuppliers.unknownStatusAction'] });
    await setSignalSupplierSuspended(dataSource, req.user!, id, action === 'suspend', requestTime(res));
    res.redirect(
      303,
      `${paths.signalSupplier(id)}?gewijzigd=${action === 'suspend' ? 'geschorst' : 'hersteld'}`,
    );
  });

  router.get(paths.signalSupplierApiKeyRevoke(), ...admins, async (req, res) => {
    const id = String(req.params.id);
    // An unknown organisation is a 404; a key that is not (or no longer) its active key goes back to its page.
    const { supplier } = await signalSupplierOverview(dataSource.manager, id, requestTime(res));
    const key = (await listApiKeys(dataSource.manager, supplier.id, 'signal_supplier')).find(
      (k) => k.id === req.params.keyId && k.revokedAt === null,
    );
    if (!key) return res.redirect(303, paths.signalSupplier(supplier.id));
    res.render('buyer-api/api-key-revoke', {
      title: 'apiKeys.revokeTitle',
      key,
      keysUrl: paths.signalSupplier(supplier.id),
      action: paths.signalSupplierApiKeyRevoke(supplier.id, key.id),
    });
  });

  router.post(paths.signalSupplierApiKeyRevoke(), ...admins, async (req, res) => {
    const id = String(req.params.id);
    if (!isUuid(id)) throw new NotFoundError(`no signal supplier ${id}`);
    await revokeApiKey(dataSource, keyActor(req.user!, id), String(req.params.keyId), requestTime(res));
    res.redirect(303, `${paths.signalSupplier(id)}?gewijzigd=ingetrokken`);
  });

  return router;
}
