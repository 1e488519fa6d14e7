/** The systems the CLI knows, in the order the README and the demo list them. */
import type { SystemDefinition } from './system.js';

export const SYSTEMS: SystemDefinition[] = [];

/** Find a system by CLI name. */
export function findSystem(name: string): SystemDefinition | undefined {
  return SYSTEMS.find((s) => s.name === name);
}
