/**
 * ARM resource ids: `/subscriptions/S/resourceGroups/RG/providers/NS/type/name[/subtype/subname]`.
 * Pure parsing shared by the actions (to address SDK calls) and the simulated estate.
 */
export interface ArmId {
  /** The id as given (ARM ids are case-insensitive; compare with `sameArmId`). */
  id: string;
  subscriptionId: string;
  resourceGroup?: string;
  /** Resource provider namespace, e.g. `Microsoft.Compute`. */
  namespace: string;
  /** Type segments after the namespace, e.g. `['virtualMachines']` or `['locations', 'alerts']`. */
  types: string[];
  /** Names matching `types`, e.g. `['vm1']` or `['westeurope', 'alert-1']`. */
  names: string[];
}

export function parseArmId(id: string): ArmId | undefined {
  const parts = id.split('/').filter((p) => p !== '');
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
  return { id, subscriptionId, ...(resourceGroup ? { resourceGroup } : {}), namespace, types, names };
}

/** `Microsoft.Compute/virtualMachines`, `Microsoft.Security/locations/alerts` … */
export function armType(id: ArmId): string {
  return [id.namespace, ...id.types].join('/');
}

/** The last name segment: the resource's own name. */
export function armName(id: ArmId): string {
  return id.names[id.names.length - 1] as string;
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
