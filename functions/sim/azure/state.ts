/**
 * The Azure half of the simulated estate: a stateful model of VMs, NICs, NSGs, disks, snapshots,
 * storage accounts, Entra users and Defender / Graph alerts. Maps are keyed by the lower-cased
 * ARM id (ARM ids are case-insensitive); the stored objects keep the id as written.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Finding } from '../../core/model.js';
import { armName, parseArmId, parseResourceId, resourceId } from '../../core/arm-id.js';

export interface SimSecurityRule {
  name: string;
  properties: {
    priority: number;
    direction: 'Inbound' | 'Outbound';
    access: 'Allow' | 'Deny';
    protocol: string;
    sourceAddressPrefix: string;
    sourcePortRange: string;
    destinationAddressPrefix: string;
    destinationPortRange: string;
    description?: string;
  };
}

export interface SimVm {
  id: string;
  location: string;
  tags: Record<string, string>;
  nicIds: string[];
  osDiskId: string;
  dataDiskIds: string[];
}
export interface SimNic {
  id: string;
  location: string;
  tags: Record<string, string>;
  nsgId?: string;
  privateIp: string;
  vmId?: string;
}
export interface SimNsg {
  id: string;
  location: string;
  tags: Record<string, string>;
  rules: SimSecurityRule[];
  /** NSG flow re-evaluation: when true, established flows are re-judged when the rules change (ARM `flushConnection`). */
  flushConnection?: boolean;
}
export interface SimDisk {
  id: string;
  location: string;
  tags: Record<string, string>;
  sizeGb: number;
  osType?: 'Linux' | 'Windows';
  vmId?: string;
}
export interface SimSnapshot {
  id: string;
  location: string;
  tags: Record<string, string>;
  sourceResourceId: string;
  incremental: boolean;
  sizeGb: number;
  timeCreated: string;
  /** Azure's defaults when absent: AllowAll / Enabled (the snapshot can be exported with a SAS from anywhere). */
  networkAccessPolicy?: 'AllowAll' | 'AllowPrivate' | 'DenyAll';
  publicNetworkAccess?: 'Enabled' | 'Disabled';
}

/** A management lock (Microsoft.Authorization/locks) on a scope: ARM refuses deletes (CanNotDelete) or any change (ReadOnly) under it. */
export interface SimManagementLock {
  /** The resource (or resource group, subscription) id the lock is on. */
  scope: string;
  name: string;
  level: 'CanNotDelete' | 'ReadOnly';
  notes?: string;
}
export interface SimStorageAccount {
  id: string;
  location: string;
  tags: Record<string, string>;
  /** Undefined = never set (older accounts: the service treats it as allowed). */
  allowBlobPublicAccess?: boolean;
  /** Undefined = never set: the service allows Shared Key (account keys and the SAS they sign). */
  allowSharedKeyAccess?: boolean;
  /** The two account keys (values are the estate's, never real secrets) and when each was made. */
  keys: SimStorageKey[];
}
export interface SimStorageKey {
  keyName: 'key1' | 'key2';
  value: string;
  creationTime: string;
}
export interface SimUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  signInSessionsValidFromDateTime: string;
  /** Times revokeSignInSessions was served, for tests and the tabletop report. */
  revocations: string[];
  accountEnabled: boolean;
  /** Directory roles the user holds (display names, e.g. `Global Administrator`). */
  roles: string[];
  /** When an administrator last set the password (Graph `lastPasswordChangeDateTime`). */
  lastPasswordChangeDateTime: string;
}

/**
 * Built-in Entra roles Microsoft marks privileged whose holders only a higher-privileged
 * administrator may disable ("Who can perform sensitive actions"): Cordon's identity holds none
 * of them, so Graph refuses it `accountEnabled` on these users, as it would in a real tenant.
 */
export const PRIVILEGED_ROLES: readonly string[] = [
  'Global Administrator',
  'Privileged Role Administrator',
  'Privileged Authentication Administrator',
  'Security Administrator',
  'User Administrator',
  'Authentication Administrator',
  'Helpdesk Administrator',
  'Password Administrator',
  'Exchange Administrator',
  'SharePoint Administrator',
  'Intune Administrator',
  'Application Administrator',
  'Cloud Application Administrator',
  'Conditional Access Administrator',
  'Hybrid Identity Administrator',
  'Groups Administrator',
];
export const isPrivilegedUser = (u: Pick<SimUser, 'roles'>): boolean => u.roles.some((r) => PRIVILEGED_ROLES.some((p) => p.toLowerCase() === r.toLowerCase()));
export interface SimDefenderAlert {
  id: string;
  location: string;
  status: 'Active' | 'InProgress' | 'Resolved' | 'Dismissed';
  alertType: string;
  displayName: string;
  severity: string;
  compromisedEntity?: string;
}
export interface SimLongRunningOperation {
  id: string;
  /** Status polls answered InProgress before Succeeded. */
  pollsUntilDone: number;
  startTime: string;
  /** Applied when the operation reports Succeeded (e.g. provisioningState back to Succeeded). */
  resourceId: string;
}

export interface AzureEstateState {
  vms: Map<string, SimVm>;
  nics: Map<string, SimNic>;
  nsgs: Map<string, SimNsg>;
  disks: Map<string, SimDisk>;
  snapshots: Map<string, SimSnapshot>;
  /** Keyed by the lower-cased lock id (`{scope}/providers/Microsoft.Authorization/locks/{name}`). */
  locks: Map<string, SimManagementLock>;
  storageAccounts: Map<string, SimStorageAccount>;
  /** Keyed by lower-cased object id and by lower-cased UPN (same object). */
  users: Map<string, SimUser>;
  defenderAlerts: Map<string, SimDefenderAlert>;
  /** Graph `alerts_v2` resources, stored as their JSON. */
  graphAlerts: Map<string, Record<string, unknown>>;
  operations: Map<string, SimLongRunningOperation>;
  /** Resources whose long-running PUT has not finished yet (provisioningState Updating). */
  provisioning: Set<string>;
  /** The estate's clock (injectable so tests and the tabletop control time). */
  now(): Date;
}

const key = (id: string) => id.toLowerCase();

const Tags = z.record(z.string(), z.string()).default({});
const ArmIdString = z.string().refine((s) => parseArmId(s) !== undefined, 'must be an ARM resource id (/subscriptions/…/providers/…)');

const SecurityRuleSchema = z.object({
  name: z.string().min(1),
  properties: z.object({
    priority: z.number().int(),
    direction: z.enum(['Inbound', 'Outbound']),
    access: z.enum(['Allow', 'Deny']),
    protocol: z.string(),
    sourceAddressPrefix: z.string(),
    sourcePortRange: z.string(),
    destinationAddressPrefix: z.string(),
    destinationPortRange: z.string(),
    description: z.string().optional(),
  }),
});

/** The `azure:` section of an estate YAML. */
export const AzureEstateSeedSchema = z
  .object({
    vms: z
      .array(
        z.object({
          id: ArmIdString,
          location: z.string().default('westeurope'),
          tags: Tags,
          /** NICs: ids, or omitted for one NIC `<vm>-nic0` with NSG `<vm>-nsg`. */
          nics: z.array(z.object({ id: ArmIdString.optional(), nsg: ArmIdString.nullable().optional() })).optional(),
          osDisk: z.object({ id: ArmIdString.optional(), sizeGb: z.number().int().positive().default(30), osType: z.enum(['Linux', 'Windows']).default('Linux') }).optional(),
          dataDisks: z.array(z.object({ id: ArmIdString.optional(), sizeGb: z.number().int().positive().default(128) })).default([]),
        }),
      )
      .default([]),
    /** `rules` omitted = no rules (an NSG a VM names without listing it gets an SSH allow rule). */
    nsgs: z.array(z.object({ id: ArmIdString, location: z.string().default('westeurope'), tags: Tags, rules: z.array(SecurityRuleSchema).default([]), flushConnection: z.boolean().optional() })).default([]),
    snapshots: z
      .array(
        z.object({
          id: ArmIdString,
          location: z.string().default('westeurope'),
          tags: Tags,
          sourceResourceId: z.string().min(1),
          incremental: z.boolean().default(true),
          sizeGb: z.number().int().positive().default(30),
          timeCreated: z.string().default('2024-01-01T00:00:00Z'),
          networkAccessPolicy: z.enum(['AllowAll', 'AllowPrivate', 'DenyAll']).optional(),
          publicNetworkAccess: z.enum(['Enabled', 'Disabled']).optional(),
        }),
      )
      .default([]),
    /** Management locks, each on a resource id (an estate.json keeps the evidence locks across runs). */
    locks: z.array(z.object({ scope: ArmIdString, name: z.string().min(1), level: z.enum(['CanNotDelete', 'ReadOnly']), notes: z.string().optional() })).default([]),
    storageAccounts: z
      .array(
        z.object({
          id: ArmIdString,
          location: z.string().default('westeurope'),
          tags: Tags,
          allowBlobPublicAccess: z.boolean().optional(),
          allowSharedKeyAccess: z.boolean().optional(),
          /** Omitted: two keys made at the estate's start. */
          keys: z.array(z.object({ keyName: z.enum(['key1', 'key2']), value: z.string().min(1), creationTime: z.string() })).length(2).optional(),
        }),
      )
      .default([]),
    users: z
      .array(
        z.object({
          id: z.string().min(1),
          userPrincipalName: z.string().min(1),
          displayName: z.string().optional(),
          signInSessionsValidFromDateTime: z.string().optional(),
          accountEnabled: z.boolean().default(true),
          /** Directory roles (display names); a privileged one makes Graph refuse Cordon `accountEnabled`. */
          roles: z.array(z.string().min(1)).default([]),
          lastPasswordChangeDateTime: z.string().optional(),
        }),
      )
      .default([]),
    defenderAlerts: z
      .array(
        z.object({
          id: ArmIdString,
          status: z.enum(['Active', 'InProgress', 'Resolved', 'Dismissed']).default('Active'),
          alertType: z.string().default('SIMULATED_ALERT'),
          displayName: z.string().default('Simulated alert'),
          severity: z.string().default('High'),
          compromisedEntity: z.string().optional(),
        }),
      )
      .default([]),
    /** Graph security alerts as Graph returns them (must have an `id`). */
    graphAlerts: z.array(z.object({ id: z.string().min(1) }).catchall(z.unknown())).default([]),
  })
  .strict();
export type AzureEstateSeed = z.input<typeof AzureEstateSeedSchema>;

export function createAzureEstateState(seed?: AzureEstateSeed, now: () => Date = () => new Date()): AzureEstateState {
  const state: AzureEstateState = {
    vms: new Map(),
    nics: new Map(),
    nsgs: new Map(),
    disks: new Map(),
    snapshots: new Map(),
    locks: new Map(),
    storageAccounts: new Map(),
    users: new Map(),
    defenderAlerts: new Map(),
    graphAlerts: new Map(),
    operations: new Map(),
    provisioning: new Set(),
    now,
  };
  if (seed) addAzureSeed(state, seed);
  return state;
}

/** Adds a seed's resources; resources already present are left as they are (estate file first, then findings). */
export function addAzureSeed(state: AzureEstateState, input: AzureEstateSeed): void {
  const seed = AzureEstateSeedSchema.parse(input);
  const put = <T extends { id: string }>(map: Map<string, T>, item: T) => {
    if (!map.has(key(item.id))) map.set(key(item.id), item);
  };
  for (const nsg of seed.nsgs) put(state.nsgs, { id: nsg.id, location: nsg.location, tags: nsg.tags, rules: nsg.rules, ...(nsg.flushConnection !== undefined ? { flushConnection: nsg.flushConnection } : {}) });
  for (const snap of seed.snapshots) put(state.snapshots, { ...snap });
  for (const lock of seed.locks) {
    const id = key(`${lock.scope}/providers/Microsoft.Authorization/locks/${lock.name}`);
    if (!state.locks.has(id)) state.locks.set(id, { ...lock });
  }
  for (const vm of seed.vms) {
    if (state.vms.has(key(vm.id))) continue;
    const parsed = parseResourceId(vm.id, 'Microsoft.Compute/virtualMachines');
    if (!parsed) throw new Error(`azure.vms: ${vm.id} is not a virtual machine id`);
    const name = armName(parsed);
    const at = (type: string, n: string) => resourceId(parsed.subscriptionId, parsed.resourceGroup, type, n);
    const nics = (vm.nics ?? [{}]).map((nic, i) => ({
      id: nic.id ?? at('Microsoft.Network/networkInterfaces', `${name}-nic${i}`),
      nsg: nic.nsg === undefined ? at('Microsoft.Network/networkSecurityGroups', `${name}-nsg`) : nic.nsg,
    }));
    nics.forEach((nic, i) => {
      if (nic.nsg) put(state.nsgs, { id: nic.nsg, location: vm.location, tags: {}, rules: [defaultSshRule()] });
      put(state.nics, { id: nic.id, location: vm.location, tags: {}, privateIp: `10.0.0.${4 + i}`, vmId: vm.id, ...(nic.nsg ? { nsgId: nic.nsg } : {}) });
    });
    const osDisk = { id: vm.osDisk?.id ?? at('Microsoft.Compute/disks', `${name}_OsDisk_1`), sizeGb: vm.osDisk?.sizeGb ?? 30, osType: vm.osDisk?.osType ?? 'Linux' };
    put(state.disks, { id: osDisk.id, location: vm.location, tags: {}, sizeGb: osDisk.sizeGb, osType: osDisk.osType, vmId: vm.id });
    const dataDiskIds = vm.dataDisks.map((d, i) => {
      const id = d.id ?? at('Microsoft.Compute/disks', `${name}_DataDisk_${i}`);
      put(state.disks, { id, location: vm.location, tags: {}, sizeGb: d.sizeGb, vmId: vm.id });
      return id;
    });
    state.vms.set(key(vm.id), { id: vm.id, location: vm.location, tags: vm.tags, nicIds: nics.map((n) => n.id), osDiskId: osDisk.id, dataDiskIds });
  }
  for (const sa of seed.storageAccounts) {
    const { keys, ...rest } = sa;
    put(state.storageAccounts, { ...rest, keys: keys ?? initialKeys(sa.id) });
  }
  for (const u of seed.users) {
    if (state.users.has(key(u.id)) || state.users.has(key(u.userPrincipalName))) continue;
    const user: SimUser = {
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName ?? u.userPrincipalName.split('@')[0] ?? u.id,
      signInSessionsValidFromDateTime: u.signInSessionsValidFromDateTime ?? '2024-01-01T00:00:00Z',
      revocations: [],
      accountEnabled: u.accountEnabled,
      roles: u.roles,
      lastPasswordChangeDateTime: u.lastPasswordChangeDateTime ?? '2024-01-01T00:00:00Z',
    };
    state.users.set(key(u.id), user);
    state.users.set(key(u.userPrincipalName), user);
  }
  for (const a of seed.defenderAlerts) {
    const parsed = parseArmId(a.id);
    const location = parsed?.names[0] ?? 'westeurope';
    put(state.defenderAlerts, { ...a, location });
  }
  for (const g of seed.graphAlerts) if (!state.graphAlerts.has(key(g.id))) state.graphAlerts.set(key(g.id), g);
}

/** A storage key value the estate makes (base64 of a hash: shaped like a key, secret to nobody). */
export function storageKeyValue(accountId: string, keyName: string, generation: string): string {
  return createHash('sha512').update(`${accountId.toLowerCase()}|${keyName}|${generation}`).digest('base64');
}

/** Keys made long before any alert an exercise replays (the ones an attacker could have taken). */
function initialKeys(accountId: string): SimStorageKey[] {
  const at = '2019-01-01T00:00:00Z';
  return (['key1', 'key2'] as const).map((keyName) => ({ keyName, value: storageKeyValue(accountId, keyName, at), creationTime: at }));
}

function defaultSshRule(): SimSecurityRule {
  return {
    name: 'AllowSSH',
    properties: {
      priority: 300,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefix: '*',
      sourcePortRange: '*',
      destinationAddressPrefix: '*',
      destinationPortRange: '22',
    },
  };
}

/** A stable object id for a user known only by UPN (uuid-shaped, derived from the UPN). */
function objectIdFor(upn: string): string {
  const h = createHash('sha256').update(upn.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Plausible resources for a normalized Defender / Graph finding, so a tabletop can run without an
 * estate file: each VM gets a NIC with an existing NSG, an OS disk and one data disk; storage
 * accounts allow blob public access (the exposure being contained); users exist with old sessions;
 * the Defender alert (by its ARM id) is Active.
 */
export function seedFromFinding(finding: Finding): AzureEstateSeed {
  const location = (r: { region?: string }) => r.region ?? (finding.region || 'westeurope');
  const seed = {
    vms: [] as NonNullable<AzureEstateSeed['vms']>,
    storageAccounts: [] as NonNullable<AzureEstateSeed['storageAccounts']>,
    users: [] as NonNullable<AzureEstateSeed['users']>,
    defenderAlerts: [] as NonNullable<AzureEstateSeed['defenderAlerts']>,
  };
  for (const r of finding.resources) {
    if (r.type === 'Microsoft.Compute/virtualMachines' && parseResourceId(r.id, r.type)) {
      seed.vms.push({ id: r.id, location: location(r), tags: r.tags, dataDisks: [{ sizeGb: 128 }] });
    } else if (r.type === 'Microsoft.Storage/storageAccounts' && parseResourceId(r.id, r.type)) {
      seed.storageAccounts.push({ id: r.id, location: location(r), tags: r.tags, allowBlobPublicAccess: true });
    } else if (r.type === 'Microsoft.Graph/users') {
      const upn = r.id.includes('@') ? r.id : (r.details?.userPrincipalName ?? `${r.id}@contoso.example`);
      const id = r.id.includes('@') ? (r.details?.objectId ?? objectIdFor(r.id)) : r.id;
      // Sessions valid since well before the alert: the ones the alert is about are still live.
      const observed = Date.parse(finding.observedAt);
      const validFrom = Number.isNaN(observed) ? undefined : new Date(observed - 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      seed.users.push({ id, userPrincipalName: upn, ...(validFrom ? { signInSessionsValidFromDateTime: validFrom } : {}) });
    }
  }
  const alert = finding.alertResourceId ? parseArmId(finding.alertResourceId) : undefined;
  if (alert && alert.namespace.toLowerCase() === 'microsoft.security' && alert.types.join('/').toLowerCase() === 'locations/alerts') {
    seed.defenderAlerts.push({ id: finding.alertResourceId as string, status: 'Active', alertType: finding.type, displayName: finding.title, severity: finding.severity });
  }
  return seed;
}
