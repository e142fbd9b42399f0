import { RESOURCE_TYPES } from './model.js';

/**
 * Azure Resource Manager ids, `/subscriptions/S[/resourceGroups/RG]/providers/NS/type/name[/subtype/subname…]`:
 * the one parser behind ingest (Defender alerts and their resources), the Azure actions and the
 * simulated estate. Pure.
 */
export interface ArmId {
  /** The id as given (ARM ids are case-insensitive; compare with `sameArmId`). */
  id: string;
  /** The id with its fixed segments (subscriptions, resourceGroups, providers, known types) in the case DESIGN.md fixes. */
  canonicalId: string;
  subscriptionId: string;
  resourceGroup?: string;
  /** Resource provider namespace as given, e.g. `Microsoft.Compute`. */
  namespace: string;
  /** Type segments after the namespace, as given, e.g. `['virtualMachines']` or `['locations', 'alerts']`. */
  types: string[];
  /** Names matching `types`, e.g. `['vm1']` or `['westeurope', 'alert-1']`. */
  names: string[];
  /** `Namespace/type[/subtype…]`, known resource types in DESIGN.md's spelling (routing compares it). */
  type: string;
  /** The last name segment: the resource's own name. */
  name: string;
  /** The `locations/{location}` segment, when the id has one (Defender alert ids do). */
  location?: string;
}

// ARM ids are case-insensitive and Defender often upper-cases them (`/SUBSCRIPTIONS/…`); comparing and
// routing need one spelling, so known resource types are mapped to the names DESIGN.md fixes.
const KNOWN_TYPES = new Map<string, string>(RESOURCE_TYPES.filter((t) => t.startsWith('Microsoft.')).map((t) => [t.toLowerCase(), t]));

/** A resource id (with `providers` and type/name pairs); undefined for anything else, a bare subscription included. */
export function parseArmId(raw: string): ArmId | undefined {
  const id = raw;
  const parts = raw.trim().split('/').filter((p) => p !== '');
  if (parts.length < 4 || parts[0]?.toLowerCase() !== 'subscriptions') return undefined;
  const subscriptionId = parts[1] as string;
  let i = 2;
  let resourceGroup: string | undefined;
  if (parts[i]?.toLowerCase() === 'resourcegroups') {
    resourceGroup = parts[i + 1];
    if (resourceGroup === undefined) return undefined;
    i += 2;
  }
  if (parts[i]?.toLowerCase() !== 'providers') return undefined;
  const namespace = parts[i + 1];
  const rest = parts.slice(i + 2);
  if (namespace === undefined || rest.length === 0 || rest.length % 2 !== 0) return undefined;
  const types = rest.filter((_, k) => k % 2 === 0);
  const names = rest.filter((_, k) => k % 2 === 1);
  const written = [namespace, ...types].join('/');
  const type = KNOWN_TYPES.get(written.toLowerCase()) ?? written;
  const typeSegments = type.split('/');
  const location = names[types.findIndex((t) => t.toLowerCase() === 'locations')];
  const canonicalPath = [
    'subscriptions',
    subscriptionId,
    ...(resourceGroup === undefined ? [] : ['resourceGroups', resourceGroup]),
    'providers',
    typeSegments[0] as string,
    ...names.flatMap((name, k) => [typeSegments[k + 1] as string, name]),
  ];
  return {
    id,
    canonicalId: `/${canonicalPath.join('/')}`,
    subscriptionId,
    ...(resourceGroup === undefined ? {} : { resourceGroup }),
    namespace,
    types,
    names,
    type,
    name: names[names.length - 1] as string,
    ...(location === undefined ? {} : { location }),
  };
}

/** `Microsoft.Compute/virtualMachines`, `Microsoft.Security/locations/alerts` … as written in the id. */
export function armType(id: ArmId): string {
  return [id.namespace, ...id.types].join('/');
}

/** The last name segment: the resource's own name. */
export function armName(id: ArmId): string {
  return id.name;
}

export function sameArmId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Parses an id that must be of `type` in a resource group; undefined otherwise. */
export function parseResourceId(id: string, type: string): (ArmId & { resourceGroup: string }) | undefined {
  const parsed = parseArmId(id);
  if (!parsed || parsed.resourceGroup === undefined || armType(parsed).toLowerCase() !== type.toLowerCase()) return undefined;
  return parsed as ArmId & { resourceGroup: string };
}

export function resourceId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;
}

/** The alert's ARM id parsed, when it is a Defender for Cloud alert id (`…/providers/Microsoft.Security/locations/L/alerts/NAME`). */
export function parseDefenderAlertId(id: string | undefined): (ArmId & { location: string; alertName: string }) | undefined {
  const parsed = id ? parseArmId(id) : undefined;
  if (!parsed || parsed.namespace.toLowerCase() !== 'microsoft.security' || parsed.types.map((t) => t.toLowerCase()).join('/') !== 'locations/alerts') return undefined;
  return { ...parsed, location: parsed.names[0] as string, alertName: armName(parsed) };
}
