/** The systems the CLI knows, in the order the README and the demo list them. */
import type { SystemDefinition } from './system.js';
import { stemgnnSystem } from '../models/stemgnn/cli.js';
import { plrmSystem } from '../models/plrm/cli.js';
import { mtadgatSystem } from '../models/mtadgat/cli.js';
import { cgkgrSystem } from '../models/cgkgr/cli.js';

export const SYSTEMS: SystemDefinition[] = [stemgnnSystem, mtadgatSystem, cgkgrSystem, plrmSystem];

/** Find a system by CLI name. */
export function findSystem(name: string): SystemDefinition | undefined {
  return SYSTEMS.find((s) => s.name === name);
}
