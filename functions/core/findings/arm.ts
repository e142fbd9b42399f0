import { RESOURCE_TYPES } from '../model.js';

/** The parts of an Azure Resource Manager id that routing and actions need. */
export interface ArmId {
  /** The id with its fixed segments (subscriptions, resourceGroups, providers, known types) in canonical case. */
  id: string;
  subscriptionId: string;
  resourceGroup?: string;
  /** `Namespace/type[/subtype…]`, e.g. `Microsoft.Compute/virtualMachines`; undefined for a bare subscription. */
  type?: string;
  name?: string;
  /** The `locations/{location}` segment, when the id has one (Defender alerts do). */
  location?: string;
}

// ARM ids are case-insensitive and Defender often upper-cases them (`/SUBSCRIPTIONS/…`); comparing and
// routing need one spelling, so known resource types are mapped to the names DESIGN.md fixes.
const KNOWN_TYPES = new Map<string, string>(
  RESOURCE_TYPES.filter((t) => t.startsWith('Microsoft.')).map((t) => [t.toLowerCase(), t]),
);

export function parseArmId(raw: string): ArmId | undefined {
  const parts = raw.trim().split('/').filter((p) => p !== '');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'subscriptions') return undefined;
  const subscriptionId = parts[1] as string;
  const out: string[] = ['subscriptions', subscriptionId];
  let resourceGroup: string | undefined;
  let i = 2;
  if (parts[i]?.toLowerCase() === 'resourcegroups' && parts[i + 1] !== undefined) {
    resourceGroup = parts[i + 1];
    out.push('resourceGroups', parts[i + 1] as string);
    i += 2;
  }
  if (parts[i]?.toLowerCase() !== 'providers' || parts[i + 1] === undefined) {
    if (i < parts.length) out.push(...parts.slice(i));
    return { id: `/${out.join('/')}`, subscriptionId, resourceGroup };
  }
  const namespace = parts[i + 1] as string;
  const namespaceIndex = out.length + 1;
  out.push('providers', namespace);
  const rest = parts.slice(i + 2);
  // After the namespace: type/name pairs (virtualMachines/vm1, locations/westeurope/alerts/123).
  const typeSegments: string[] = [];
  let name: string | undefined;
  let location: string | undefined;
  for (let j = 0; j + 1 < rest.length; j += 2) {
    const segment = rest[j] as string;
    const value = rest[j + 1] as string;
    typeSegments.push(segment);
    if (segment.toLowerCase() === 'locations') location = value;
    name = value;
  }
  const rawType = [namespace, ...typeSegments].join('/');
  const type = KNOWN_TYPES.get(rawType.toLowerCase()) ?? rawType;
  const canonicalTypeSegments = type.split('/').slice(1);
  for (let j = 0; j < rest.length; j++) {
    out.push(j % 2 === 0 ? (canonicalTypeSegments[j / 2] ?? (rest[j] as string)) : (rest[j] as string));
  }
  if (KNOWN_TYPES.has(rawType.toLowerCase())) out[namespaceIndex] = type.split('/')[0] as string;
  return { id: `/${out.join('/')}`, subscriptionId, resourceGroup, type, name, location };
}
