import type { DemoAccount } from '../identity/demo-oidc-provider';
import { DEMO_PROVIDERS, demoKvk } from './demo-data';

/** A KvK number no demo organisation has: its first eHerkenning login registers a new organisation. */
export const DEMO_NEW_KVK = '99997001';

/**
 * The companies the demo's eHerkenning page offers: two organisations of the demo data (a login
 * joins them), a new number (a login registers it), and one at EH2 (refused below EH3).
 */
export function demoEherkenningAccounts(): DemoAccount[] {
  const of = (name: string) => {
    const index = DEMO_PROVIDERS.findIndex((p) => p.legalName.startsWith(name));
    return { kvkNumber: demoKvk(index), legalName: DEMO_PROVIDERS[index]?.legalName ?? name };
  };
  const polderwolk = of('Polderwolk');
  const zuiderzee = of('Zuiderzee');
  return [
    {
      id: 'demo-polderwolk',
      label: `${polderwolk.legalName} (EH3)`,
      kvkNumber: polderwolk.kvkNumber,
      level: 'EH3',
    },
    {
      id: 'demo-zuiderzee',
      label: `${zuiderzee.legalName} (EH3)`,
      kvkNumber: zuiderzee.kvkNumber,
      level: 'EH3',
    },
    {
      id: 'demo-nieuw',
      label: 'Nieuwe Haven Hosting B.V. (EH3, nog niet geregistreerd / not registered yet)',
      kvkNumber: DEMO_NEW_KVK,
      level: 'EH3',
    },
    {
      id: 'demo-eh2',
      label: `${polderwolk.legalName} (EH2: te laag / too low)`,
      kvkNumber: polderwolk.kvkNumber,
      level: 'EH2',
    },
  ];
}
