import { ACTION_CATALOG } from '../../../functions/core/actions/catalog.js';
import type { ActionName } from '../../../functions/core/model.js';

/** The call that changes something, as the catalog names it (the fault tests aim their faults at it). */
export function mutatingCall(action: ActionName): string {
  const call = ACTION_CATALOG[action].mutatingCall;
  if (call === undefined) throw new Error(`${action}: the catalog names no mutating call`);
  return call;
}
