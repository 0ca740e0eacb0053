import { DEMO_PROVIDERS, demoKvk } from '../../src/seed/demo';

/** The KvK number of the demo provider whose legal name starts with `name`. */
export function demoKvkOf(name: string): string {
  const index = DEMO_PROVIDERS.findIndex((d) => d.legalName.startsWith(name));
  if (index < 0) throw new Error(`no demo provider named ${name}`);
  return demoKvk(index);
}
