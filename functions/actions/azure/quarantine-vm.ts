/**
 * quarantine-vm: network-isolate an Azure VM. A deny-all NSG (`cordon-isolation`, one per resource
 * group and region) is found or created — inbound and outbound Deny * at priority 100, the highest
 * a custom rule can have, so no allow rule of the NSG outranks it — and associated with each of
 * the VM's NICs (NIC-level NSGs apply on top of any subnet NSG, so traffic must pass both).
 * The NSG has flow re-evaluation on (`flushConnection: true`): NSGs keep the flow record of an
 * established connection when rules or associations change, so without it an attacker's open
 * session would survive the isolation. An existing isolation NSG without it is repaired.
 * The NICs' original NSGs are recorded in `before` and in an `isolation` evidence item so the
 * VM can be released after the investigation.
 */
import type { NetworkInterface, NetworkSecurityGroup, SecurityRule } from '@azure/arm-network';
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import * as z from 'zod';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { classifyAzureError } from '../../adapters/azure/errors.js';
import { armName, parseResourceId, resourceId, sameArmId } from '../../core/arm-id.js';
import { failedFrom, incidentTags, invalidTarget, targetArmId } from './common.js';

export const ISOLATION_NSG = 'cordon-isolation';
const VM_TYPE = 'Microsoft.Compute/virtualMachines';
const NSG_TYPE = 'Microsoft.Network/networkSecurityGroups';

const denyAll = (direction: 'Inbound' | 'Outbound'): SecurityRule => ({
  name: `cordon-deny-all-${direction.toLowerCase()}`,
  description: `Cordon isolation: deny all ${direction.toLowerCase()} traffic`,
  priority: 100,
  direction,
  access: 'Deny',
  protocol: '*',
  sourceAddressPrefix: '*',
  sourcePortRange: '*',
  destinationAddressPrefix: '*',
  destinationPortRange: '*',
});
export const ISOLATION_RULES: readonly SecurityRule[] = [denyAll('Inbound'), denyAll('Outbound')];

/** True when the NSG denies everything both ways at priority 100 and re-evaluates established flows. */
export function isIsolating(nsg: NetworkSecurityGroup): boolean {
  return nsg.flushConnection === true && (['Inbound', 'Outbound'] as const).every((direction) =>
    (nsg.securityRules ?? []).some(
      (r) =>
        r.direction === direction &&
        r.access === 'Deny' &&
        r.priority === 100 &&
        r.protocol === '*' &&
        r.sourceAddressPrefix === '*' &&
        r.destinationAddressPrefix === '*' &&
        r.destinationPortRange === '*',
    ),
  );
}

const isNotFound = (e: unknown) => classifyAzureError(e).errorClass === 'NotFound';

async function getNsgOrUndefined(ctx: AzureContext, rg: string, name: string): Promise<NetworkSecurityGroup | undefined> {
  try {
    return await ctx.clients.network.networkSecurityGroups.get(rg, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** The isolation NSG's name for a region: `cordon-isolation`, unless that one lives in another region. */
async function findIsolationNsg(ctx: AzureContext, rg: string, location: string): Promise<{ name: string; nsg?: NetworkSecurityGroup }> {
  const nsg = await getNsgOrUndefined(ctx, rg, ISOLATION_NSG);
  if (!nsg || sameRegion(nsg.location, location)) return { name: ISOLATION_NSG, ...(nsg ? { nsg } : {}) };
  const regional = `${ISOLATION_NSG}-${location.toLowerCase()}`;
  const other = await getNsgOrUndefined(ctx, rg, regional);
  return { name: regional, ...(other ? { nsg: other } : {}) };
}

const sameRegion = (a: string | undefined, b: string) => (a ?? '').replace(/\s/g, '').toLowerCase() === b.replace(/\s/g, '').toLowerCase();

function nicLocation(nicId: string): { rg: string; name: string } | undefined {
  const parsed = parseResourceId(nicId, 'Microsoft.Network/networkInterfaces');
  return parsed ? { rg: parsed.resourceGroup, name: armName(parsed) } : undefined;
}

const RecordedBefore = z.object({ vm: z.string(), nics: z.array(z.object({ id: z.string(), networkSecurityGroup: z.string().nullable() })) });

/** The isolation NSG as found (null: Cordon creates it), recorded so the audit log shows what changed on it. */
const nsgBefore = (nsg: NetworkSecurityGroup | undefined) =>
  nsg ? { id: nsg.id ?? null, flushConnection: nsg.flushConnection === true, isolating: isIsolating(nsg) } : null;

export const quarantineVm: ActionModule<AzureContext> = {
  spec: ACTION_CATALOG['quarantine-vm'],

  plannedCalls(input: ActionInput): PlannedCall[] {
    const vm = targetArmId(input, VM_TYPE);
    const rg = vm?.resourceGroup ?? '<resource group>';
    const nsgId = vm ? resourceId(vm.subscriptionId, rg, NSG_TYPE, ISOLATION_NSG) : ISOLATION_NSG;
    return [
      { operation: 'Microsoft.Compute/virtualMachines/read', request: { id: input.target.id } },
      { operation: 'Microsoft.Network/networkInterfaces/read', request: { of: input.target.id, each: 'networkProfile.networkInterfaces[].id' } },
      { operation: 'Microsoft.Network/networkSecurityGroups/read', request: { id: nsgId } },
      { operation: 'Microsoft.Network/networkSecurityGroups/write', request: { id: nsgId, ifMissingOrLoosened: true, flushConnection: true, securityRules: ISOLATION_RULES } },
      { operation: 'Microsoft.Network/networkInterfaces/write', request: { each: 'NIC of the VM', networkSecurityGroup: { id: nsgId } } },
    ];
  },

  async run(input: ActionInput, ctx: AzureContext): Promise<ActionResult> {
    const target = targetArmId(input, VM_TYPE);
    if (!target) return invalidTarget(input, 'a virtual machine ARM id');
    try {
      const { network, compute } = ctx.clients;
      const vm = await compute.virtualMachines.get(target.resourceGroup, armName(target));
      const location = vm.location;
      const nicIds = (vm.networkProfile?.networkInterfaces ?? []).map((n) => n.id).filter((id): id is string => !!id);
      if (nicIds.length === 0) return { status: 'failed', errorClass: 'InvalidTarget', message: `${input.target.id} has no network interfaces to isolate` };

      const nics: { id: string; rg: string; name: string; nic: NetworkInterface }[] = [];
      for (const id of nicIds) {
        const at = nicLocation(id);
        if (!at) return { status: 'failed', errorClass: 'InvalidTarget', message: `NIC id '${id}' of ${input.target.id} is not a network interface ARM id` };
        nics.push({ id, ...at, nic: await network.networkInterfaces.get(at.rg, at.name) });
      }
      const found = await findIsolationNsg(ctx, target.resourceGroup, location);
      const before = {
        vm: vm.id ?? input.target.id,
        nics: nics.map((n) => ({ id: n.nic.id ?? n.id, networkSecurityGroup: n.nic.networkSecurityGroup?.id ?? null })),
        isolationNsg: nsgBefore(found.nsg),
      };
      const pending = nics.filter((n) => !sameArmId(n.nic.networkSecurityGroup?.id, found.nsg?.id));
      if (found.nsg && isIsolating(found.nsg) && pending.length === 0) {
        return { status: 'skipped', reason: 'already-done', summary: `every NIC of ${armName(target)} is already on ${found.nsg.id}`, before };
      }

      const poll = { updateIntervalInMs: ctx.clients.lroPollIntervalMs };
      let nsg = found.nsg;
      if (!nsg || !isIsolating(nsg)) {
        // Created, or repaired if someone loosened it: the rules are the whole point.
        nsg = await network.networkSecurityGroups.beginCreateOrUpdateAndWait(
          target.resourceGroup,
          found.name,
          { location, tags: { ...(nsg?.tags ?? {}), 'cordon:purpose': 'isolation' }, flushConnection: true, securityRules: [...ISOLATION_RULES] },
          poll,
        );
      }
      const nsgId = nsg.id ?? resourceId(target.subscriptionId, target.resourceGroup, NSG_TYPE, found.name);
      for (const n of pending) {
        // NIC updates are a full PUT of the NIC as read, long-running in ARM.
        await network.networkInterfaces.beginCreateOrUpdateAndWait(n.rg, n.name, { ...n.nic, networkSecurityGroup: { id: nsgId } }, poll);
      }
      const after = { isolationNsg: nsgId, flushConnection: true, nics: nics.map((n) => ({ id: n.nic.id ?? n.id, networkSecurityGroup: nsgId })) };
      return {
        status: 'succeeded',
        before,
        after,
        evidence: [
          {
            kind: 'isolation',
            id: nsgId,
            of: before.vm,
            takenAt: ctx.now().toISOString(),
            tags: incidentTags(input),
            details: { originalNetworkSecurityGroups: before.nics, isolatedNics: pending.map((n) => n.id) },
          },
        ],
        summary: `${armName(target)}: ${pending.length} NIC(s) moved to deny-all NSG ${found.name} (flushConnection: established flows re-evaluated and dropped)`,
      };
    } catch (e) {
      return failedFrom(e);
    }
  },
  /** Puts each NIC back on its recorded NSG (or none), from the audit log's before-state. */
  async release(input: ReleaseInput, ctx: AzureContext): Promise<ActionResult> {
    const recorded = RecordedBefore.safeParse(input.before);
    if (!recorded.success) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not a quarantine-vm record` };
    try {
      const { network } = ctx.clients;
      const poll = { updateIntervalInMs: ctx.clients.lroPollIntervalMs };
      const found: { id: string; networkSecurityGroup: string | null }[] = [];
      const restored: string[] = [];
      for (const want of recorded.data.nics) {
        const at = nicLocation(want.id);
        if (!at) return { status: 'failed', errorClass: 'InvalidTarget', message: `recorded NIC id '${want.id}' is not a network interface ARM id` };
        const nic = await network.networkInterfaces.get(at.rg, at.name);
        const current = nic.networkSecurityGroup?.id ?? null;
        found.push({ id: want.id, networkSecurityGroup: current });
        if (want.networkSecurityGroup === null ? current === null : sameArmId(current ?? undefined, want.networkSecurityGroup)) continue;
        const { networkSecurityGroup: _dropped, ...rest } = nic;
        await network.networkInterfaces.beginCreateOrUpdateAndWait(at.rg, at.name, want.networkSecurityGroup === null ? rest : { ...rest, networkSecurityGroup: { id: want.networkSecurityGroup } }, poll);
        restored.push(want.id);
      }
      const before = { vm: recorded.data.vm, nics: found };
      if (restored.length === 0) return { status: 'skipped', reason: 'already-done', summary: `every NIC of ${recorded.data.vm} is already on its recorded NSG`, before };
      return { status: 'succeeded', before, after: { vm: recorded.data.vm, nics: recorded.data.nics }, evidence: [], summary: `${restored.length} NIC(s) of ${recorded.data.vm} back on their recorded NSGs` };
    } catch (e) {
      return failedFrom(e);
    }
  },
};
