/** Every system Sheaf has, in the order the README and the demo list them. */
import type { AnySystem } from '../system/types.js';
import { stemgnnSystem } from './stemgnn/system.js';
import { mtadgatSystem } from './mtadgat/system.js';
import { cgkgrSystem } from './cgkgr/system.js';
import { plrmSystem } from './plrm/system.js';
import { adaptergnnSystem } from './adaptergnn/system.js';
import { tgslSystem } from './tgsl/system.js';
import { bsmSystem } from './bsm/system.js';

export const SYSTEMS: readonly AnySystem[] = [stemgnnSystem, mtadgatSystem, cgkgrSystem, plrmSystem, adaptergnnSystem, tgslSystem, bsmSystem];

/** A system by its CLI name. */
export function findSystem(name: string): AnySystem | undefined {
  return SYSTEMS.find((s) => s.name === name);
}

/** Add a system (a plug-in, or a stand-in in tests); its name must be new. */
export function registerSystem(s: AnySystem): void {
  if (findSystem(s.name)) throw new Error(`a system named '${s.name}' is already registered`);
  (SYSTEMS as AnySystem[]).push(s);
}
