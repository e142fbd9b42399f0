/**
 * Microsoft.Authorization/locks over the estate: management locks, an extension resource at any
 * scope (`{scope}/providers/Microsoft.Authorization/locks/{name}`), and what ARM enforces with
 * them: a DELETE of a resource under a CanNotDelete or ReadOnly lock — on the resource itself or
 * on any scope above it — is refused with `ScopeLocked`. Removing the lock itself takes
 * `Microsoft.Authorization/locks/delete` (Owner or User Access Administrator): a lock stops
 * whoever lacks that, which is why Cordon records it as evidence of intent, not as immutability.
 */
import type { SimRequest, SimResponse } from '../server.js';
import type { AzureEstateState, SimManagementLock } from './state.js';
import { armError, json, key, obj, parseBody, str } from './arm-wire.js';

export const LOCK_TYPE = 'Microsoft.Authorization/locks';
const LEVELS = new Set(['CanNotDelete', 'ReadOnly']);

const lockId = (scope: string, name: string) => `${scope}/providers/${LOCK_TYPE}/${name}`;

function lockView(l: SimManagementLock) {
  return { id: lockId(l.scope, l.name), type: LOCK_TYPE, name: l.name, properties: { level: l.level, ...(l.notes ? { notes: l.notes } : {}) } };
}

/** The locks that hold a resource: its own and those of every scope above it (resource group, subscription). */
export function locksOver(state: AzureEstateState, resourceId: string): SimManagementLock[] {
  const id = key(resourceId);
  return [...state.locks.values()].filter((l) => id === key(l.scope) || id.startsWith(`${key(l.scope)}/`));
}

/** ARM's answer to a DELETE under a lock, or undefined when nothing holds the resource. */
export function deleteRefusal(state: AzureEstateState, resourceId: string): SimResponse | undefined {
  const held = locksOver(state, resourceId);
  if (held.length === 0) return undefined;
  const scopes = [...new Set(held.map((l) => l.scope))].join("', '");
  return armError(409, 'ScopeLocked', `The scope '${resourceId}' cannot perform delete operation because following scope(s) are locked: '${scopes}'. Please remove the lock and try again.`);
}

/** GET (one or the list at the scope), PUT and DELETE of the locks at `scope`. */
export function handleLocks(state: AzureEstateState, req: SimRequest, scope: string, name: string | undefined): SimResponse {
  const at = (n: string) => state.locks.get(key(lockId(scope, n)));
  if (name === undefined) {
    if (req.method !== 'GET') return armError(405, 'MethodNotAllowed', `The simulated estate does not serve ${req.method} ${req.path}.`);
    // The list at a scope includes the locks inherited from the scopes above it, as ARM lists them.
    return json(200, { value: locksOver(state, scope).map(lockView) });
  }
  if (req.method === 'GET') {
    const lock = at(name);
    return lock ? json(200, lockView(lock)) : armError(404, 'LockNotFound', `The lock '${name}' could not be found.`);
  }
  if (req.method === 'DELETE') {
    const existed = state.locks.delete(key(lockId(scope, name)));
    return existed ? json(200, {}) : { status: 204 };
  }
  if (req.method === 'PUT') {
    const props = obj(parseBody(req)?.properties);
    const level = str(props.level);
    if (!level || !LEVELS.has(level)) return armError(400, 'LockLevelInvalid', `The lock level '${level ?? ''}' is invalid. Valid levels: CanNotDelete, ReadOnly.`);
    const existed = at(name) !== undefined;
    const lock: SimManagementLock = { scope, name, level: level as SimManagementLock['level'], ...(str(props.notes) ? { notes: str(props.notes) as string } : {}) };
    state.locks.set(key(lockId(scope, name)), lock);
    return json(existed ? 200 : 201, lockView(lock));
  }
  return armError(405, 'MethodNotAllowed', `The simulated estate does not serve ${req.method} ${req.path}.`);
}
