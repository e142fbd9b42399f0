/**
 * Wire helpers shared by the ARM resource providers of the estate: request routing (path →
 * resource id and RBAC operation name), ARM's JSON and error envelopes, body parsing, and the
 * long-running-operation protocol. Long-running PUTs answer as ARM does — 200/201 with
 * `Azure-AsyncOperation` and `Location`, the status endpoint reports InProgress then Succeeded —
 * with `Retry-After: 0` so the real clients' pollers (core-lro) finish at once.
 */
import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../server.js';
import { armType, parseArmId, type ArmId } from '../../core/arm-id.js';
import type { AzureEstateState } from './state.js';

/** ARM ids are case-insensitive: every map of the estate is keyed by the lower-cased id. */
export const key = (id: string) => id.toLowerCase();

export interface ArmRoute {
  /** Parsed resource id, or the collection's parent when `collection` is set. */
  id: ArmId;
  /** A list (GET …/snapshots) or an action (POST …/alerts/x/inProgress): the trailing segment. */
  trailing?: string;
  operation: string;
  /** An extension resource on the resource `id` (`{id}/providers/Microsoft.Authorization/locks[/name]`). */
  extension?: { namespace: string; type: string; name?: string };
}

/** `{scope}/providers/NS/type[/name]` where the scope is itself a resource: an extension resource such as a management lock. */
function extensionRoute(method: string, segments: readonly string[], first: number): ArmRoute | undefined {
  const second = segments.findIndex((s, i) => i > first && s.toLowerCase() === 'providers');
  if (second < 0) return undefined;
  const scope = parseArmId('/' + segments.slice(0, second).join('/'));
  const [namespace, type, name, ...rest] = segments.slice(second + 1);
  if (!scope || !namespace || !type || rest.length > 0) return undefined;
  const verbs: Record<string, string> = name === undefined ? { GET: 'read' } : { GET: 'read', PUT: 'write', DELETE: 'delete' };
  const verb = verbs[method];
  return verb ? { id: scope, operation: `${namespace}/${type}/${verb}`, extension: { namespace, type, ...(name !== undefined ? { name } : {}) } } : undefined;
}

/** One resource type's handler: an answer, or undefined when it does not serve this method. */
export type ArmHandler = (req: SimRequest, route: ArmRoute) => SimResponse | undefined;

/** A resource provider of the estate: handlers by lower-cased resource type, and list handlers by lower-cased `namespace/type`. */
export interface ArmProvider {
  resources: Record<string, ArmHandler>;
  lists?: Record<string, ArmHandler>;
}

/** `/subscriptions/S/resourceGroups/RG/providers/NS/t/n[/t/n…][/trailing]` → route and RBAC name. */
export function routeArm(method: string, path: string): ArmRoute | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  const providers = segments.findIndex((s) => s.toLowerCase() === 'providers');
  if (segments[0]?.toLowerCase() !== 'subscriptions' || providers < 0) return undefined;
  const extension = extensionRoute(method, segments, providers);
  if (extension) return extension;
  const odd = (segments.length - providers - 2) % 2 === 1;
  const trailing = odd ? segments[segments.length - 1] : undefined;
  const base = odd ? segments.slice(0, -1) : segments;
  const collectionOnly = segments.length - providers - 2 === 1;
  if (collectionOnly) {
    // `…/providers/NS/type`: a list; represent it with an empty name list.
    const sub = segments[1] as string;
    const rg = segments[2]?.toLowerCase() === 'resourcegroups' ? segments[3] : undefined;
    const ns = segments[providers + 1] as string;
    const id: ArmId = { id: path, canonicalId: path, subscriptionId: sub, ...(rg ? { resourceGroup: rg } : {}), namespace: ns, types: [], names: [], type: ns, name: '' };
    return method === 'GET' ? { id, trailing, operation: `${ns}/${trailing}/read` } : undefined;
  }
  const id = parseArmId('/' + base.join('/'));
  if (!id) return undefined;
  const type = armType(id);
  if (trailing !== undefined) {
    if (method === 'GET') return { id, trailing, operation: `${type}/${trailing}/read` };
    if (method === 'POST') return { id, trailing, operation: `${type}/${trailing}/action` };
    return undefined;
  }
  const verb = { GET: 'read', PUT: 'write', PATCH: 'write', DELETE: 'delete', POST: 'action' }[method];
  return verb ? { id, operation: `${type}/${verb}` } : undefined;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomUUID(), ...headers },
  body: JSON.stringify(body),
});
export const armError = (status: number, code: string, message: string, headers: Record<string, string> = {}): SimResponse =>
  json(status, { error: { code, message } }, headers);
export const notFound = (id: string, type: string) =>
  armError(404, 'ResourceNotFound', `The Resource '${type}/${id.split('/').pop()}' under resource group '${parseArmId(id)?.resourceGroup ?? ''}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);

export function parseBody(req: SimRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(req.body.toString('utf8') || '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
/** The envelope every tracked ARM resource shares. */
export const tracked = (r: { id: string; location: string; tags: Record<string, string> }, type: string) => ({
  id: r.id,
  name: r.id.split('/').pop() as string,
  type,
  location: r.location,
  tags: r.tags,
});
export const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const tagsOf = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** A GET of one resource from a map of the estate, or ARM's 404. */
export function getOne<T>(map: ReadonlyMap<string, T>, id: ArmId, view: (t: T) => unknown, typeName: string): SimResponse {
  const item = map.get(key(id.id));
  return item ? json(200, view(item)) : notFound(id.id, typeName);
}

/** `Updating` while a long-running operation on the resource is still being polled. */
export const provisioningState = (state: AzureEstateState, id: string) => (state.provisioning.has(key(id)) ? 'Updating' : 'Succeeded');

/** Starts a long-running operation on `id` and answers the PUT as ARM does. */
export function accepted(state: AzureEstateState, req: SimRequest, id: ArmId, location: string, created: boolean, body: unknown): SimResponse {
  const opId = randomUUID();
  state.operations.set(opId, { id: opId, pollsUntilDone: 1, startTime: state.now().toISOString(), resourceId: id.id });
  state.provisioning.add(key(id.id));
  const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
  const apiVersion = req.query.get('api-version') ?? '';
  const opPath = `/subscriptions/${id.subscriptionId}/providers/${id.namespace}/locations/${location}/operations/${opId}`;
  return json(created ? 201 : 200, body, {
    'azure-asyncoperation': `${origin}${opPath}?api-version=${apiVersion}`,
    location: `${origin}${opPath}?monitor=true&api-version=${apiVersion}`,
    'retry-after': '0',
  });
}

/** The status endpoint of a long-running operation (`…/locations/L/operations/ID`). */
export function operationStatus(state: AzureEstateState, req: SimRequest, opId: string): SimResponse {
  const op = state.operations.get(opId);
  if (!op) return armError(404, 'ResourceNotFound', `Operation ${opId} was not found.`);
  const done = op.pollsUntilDone <= 0;
  op.pollsUntilDone -= 1;
  if (done) state.provisioning.delete(key(op.resourceId));
  if (req.query.get('monitor') === 'true') return done ? { status: 200, headers: { 'content-length': '0' } } : { status: 202, headers: { 'retry-after': '0' } };
  return json(200, { name: opId, status: done ? 'Succeeded' : 'InProgress', startTime: op.startTime, ...(done ? { endTime: state.now().toISOString() } : {}) }, done ? {} : { 'retry-after': '0' });
}

/** A stable uuid-shaped id derived from an ARM id (vmId, disk uniqueId). */
export function vmUuid(id: string): string {
  let h = 0x811c9dc5;
  const hex: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (const ch of `${round}:${id.toLowerCase()}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    hex.push(h.toString(16).padStart(8, '0'));
  }
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

export function etag(resource: object): string {
  return `W/"${vmUuid(JSON.stringify(resource))}"`;
}
