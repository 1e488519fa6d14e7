/** The systems the CLI knows, in the order the README and the demo list them. */
import type { SystemDefinition } from './system.js';
import { stemgnnSystem } from '../../systems/stemgnn/cli.js';
import { plrmSystem } from '../../systems/plrm/cli.js';
import { mtadgatSystem } from '../../systems/mtadgat/cli.js';
import { cgkgrSystem } from '../../systems/cgkgr/cli.js';

export const SYSTEMS: SystemDefinition[] = [stemgnnSystem, mtadgatSystem, cgkgrSystem, plrmSystem];

/** Find a system by CLI name. */
export function findSystem(name: string): SystemDefinition | undefined {
  return SYSTEMS.find((s) => s.name === name);
}
