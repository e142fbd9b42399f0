/**
 * snapshot-disks: preserve an Azure VM's OS and data disks as incremental snapshots
 * (`creationData.createOption: Copy`), tagged with the incident and the source disk, each an
 * evidence item, and kept as evidence that survives whoever holds the subscription:
 * - network access denied at creation (`networkAccessPolicy: DenyAll`, `publicNetworkAccess:
 *   Disabled`), so no SAS export of the data is possible;
 * - a `CanNotDelete` management lock on each snapshot (ARM REST through the compute client's own
 *   pipeline), so a delete is refused until someone with `Microsoft.Authorization/locks/delete`
 *   removes the lock — which is itself an audited, visible act.
 * Each snapshot goes to the evidence sink the moment ARM has it. Snapshot names are derived from
 * incident and disk, and existing snapshots with this incident's tag are found first, so a re-run
 * (or a retry after a partial failure) only takes the missing ones and finishes their protection.
 */
import { createHash } from 'node:crypto';
import type { Snapshot } from '@azure/arm-compute';
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, EvidenceItem, EvidenceLock, PlannedCall } from '../../core/actions/types.js';
import { sendArmRequest } from '../../adapters/azure/arm-request.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { armName, parseArmId, sameArmId } from '../../core/arm-id.js';
import { INCIDENT_TAG, failedFrom, incidentTags, invalidTarget, targetArmId } from './common.js';

const VM_TYPE = 'Microsoft.Compute/virtualMachines';
export const SOURCE_DISK_TAG = 'cordon:source-disk';
/** The management lock Cordon puts on each evidence snapshot. */
export const EVIDENCE_LOCK_NAME = 'cordon-evidence';
const LOCKS_API_VERSION = '2016-09-01';
/** No export of the evidence over any network: no SAS, public or private. */
const DENY_NETWORK = { networkAccessPolicy: 'DenyAll', publicNetworkAccess: 'Disabled' } as const;

const lockPath = (snapshotId: string, name?: string) => `${snapshotId}/providers/Microsoft.Authorization/locks${name ? `/${name}` : ''}`;

/** ≤ 80 characters, as ARM allows for snapshot names; a hash keeps long names unique. */
export function snapshotName(incidentId: string, diskId: string): string {
  const disk = diskId.split('/').pop() ?? 'disk';
  const base = `cordon-${incidentId}-${disk}`.replace(/[^A-Za-z0-9_.-]/g, '-');
  if (base.length <= 80) return base;
  const hash = createHash('sha256').update(`${incidentId}|${diskId.toLowerCase()}`).digest('hex').slice(0, 10);
  return `${base.slice(0, 69)}-${hash}`;
}

interface DiskRef {
  id: string;
  role: 'os' | 'data';
  lun?: number;
}

export const snapshotDisks: ActionModule<AzureContext> = {
  spec: ACTION_CATALOG['snapshot-disks'],

  plannedCalls(input: ActionInput): PlannedCall[] {
    const vm = targetArmId(input, VM_TYPE);
    const rg = vm?.resourceGroup ?? '<resource group>';
    return [
      { operation: 'Microsoft.Compute/virtualMachines/read', request: { id: input.target.id } },
      { operation: 'Microsoft.Compute/snapshots/read', request: { resourceGroup: rg, filter: { tag: INCIDENT_TAG, value: input.incidentId } } },
      {
        operation: 'Microsoft.Compute/snapshots/write',
        request: {
          each: 'OS and data disk of the VM',
          resourceGroup: rg,
          name: snapshotName(input.incidentId, '<disk>'),
          incremental: true,
          creationData: { createOption: 'Copy', sourceResourceId: '<disk id>' },
          ...DENY_NETWORK,
          tags: { ...incidentTags(input), [SOURCE_DISK_TAG]: '<disk id>' },
        },
      },
      { operation: 'Microsoft.Authorization/locks/read', request: { scope: '<snapshot id>' } },
      {
        operation: 'Microsoft.Authorization/locks/write',
        request: { each: 'snapshot', scope: '<snapshot id>', name: EVIDENCE_LOCK_NAME, properties: { level: 'CanNotDelete', notes: `Cordon ${input.incidentId}: evidence` } },
      },
    ];
  },

  async run(input: ActionInput, ctx: AzureContext): Promise<ActionResult> {
    const target = targetArmId(input, VM_TYPE);
    if (!target) return invalidTarget(input, 'a virtual machine ARM id');
    try {
      const { compute } = ctx.clients;
      const vm = await compute.virtualMachines.get(target.resourceGroup, armName(target));
      const storage = vm.storageProfile;
      const disks: DiskRef[] = [
        ...(storage?.osDisk?.managedDisk?.id ? [{ id: storage.osDisk.managedDisk.id, role: 'os' as const }] : []),
        ...(storage?.dataDisks ?? []).flatMap((d) => (d.managedDisk?.id ? [{ id: d.managedDisk.id, role: 'data' as const, lun: d.lun }] : [])),
      ];
      if (disks.length === 0) return { status: 'failed', errorClass: 'InvalidTarget', message: `${input.target.id} has no managed disks to snapshot` };

      // Snapshots live in the VM's resource group; one list call finds this incident's earlier ones.
      const existing: Snapshot[] = [];
      for await (const s of compute.snapshots.listByResourceGroup(target.resourceGroup)) {
        if (s.tags?.[INCIDENT_TAG] === input.incidentId) existing.push(s);
      }
      const taken = (disk: DiskRef) => existing.find((s) => sameArmId(s.creationData?.sourceResourceId ?? s.tags?.[SOURCE_DISK_TAG], disk.id));
      const missing = disks.filter((d) => !taken(d));
      const before = { vm: vm.id ?? input.target.id, disks: disks.map((d) => ({ ...d, snapshot: taken(d)?.id ?? null })) };

      const itemOf = (disk: DiskRef, snap: Snapshot, lock?: EvidenceLock): EvidenceItem => ({
        kind: 'disk-snapshot',
        id: snap.id ?? snapshotName(input.incidentId, disk.id),
        of: disk.id,
        takenAt: (snap.timeCreated ?? ctx.now()).toISOString(),
        tags: { ...(snap.tags ?? {}) },
        details: {
          role: disk.role,
          ...(disk.lun !== undefined ? { lun: disk.lun } : {}),
          incremental: snap.incremental ?? true,
          diskSizeGB: snap.diskSizeGB,
          location: snap.location,
          networkAccessPolicy: snap.networkAccessPolicy,
          publicNetworkAccess: snap.publicNetworkAccess,
        },
        ...(lock ? { lock } : {}),
      });

      const made: { disk: DiskRef; snap: Snapshot }[] = [];
      for (const disk of missing) {
        const tags = { ...incidentTags(input), [SOURCE_DISK_TAG]: disk.id };
        const snap = await compute.snapshots.beginCreateOrUpdateAndWait(
          target.resourceGroup,
          snapshotName(input.incidentId, disk.id),
          { location: vm.location, tags, incremental: true, creationData: { createOption: 'Copy', sourceResourceId: disk.id }, ...DENY_NETWORK },
          { updateIntervalInMs: ctx.clients.lroPollIntervalMs },
        );
        made.push({ disk, snap });
        // On the record before anything else can fail or the process die.
        await ctx.evidence?.record([itemOf(disk, snap)]);
      }
      const all = [...disks.flatMap((disk) => { const s = taken(disk); return s ? [{ disk, snap: s }] : []; }), ...made];

      // Earlier snapshots (a run that died half way, or taken before this protection existed) are closed now.
      const closed: string[] = [];
      for (const entry of all) {
        if (entry.snap.networkAccessPolicy === 'DenyAll' && entry.snap.publicNetworkAccess === 'Disabled') continue;
        const name = armName(parseArmId(entry.snap.id ?? '') ?? target);
        entry.snap = await compute.snapshots.beginUpdateAndWait(target.resourceGroup, name, { ...DENY_NETWORK }, { updateIntervalInMs: ctx.clients.lroPollIntervalMs });
        closed.push(name);
      }

      const locks = new Map<string, EvidenceLock>();
      const lockedNow: string[] = [];
      for (const { snap } of all) {
        const id = snap.id as string;
        const listed = (await sendArmRequest(compute.pipeline, ctx.clients.armEndpoint, { method: 'GET', path: lockPath(id), apiVersion: LOCKS_API_VERSION })) as { value?: { id?: string; properties?: { level?: string } }[] } | undefined;
        const held = listed?.value?.find((l) => l.properties?.level === 'CanNotDelete' || l.properties?.level === 'ReadOnly');
        if (held?.id) {
          locks.set(id, { kind: 'management-lock', level: 'CanNotDelete', id: held.id });
          continue;
        }
        const put = (await sendArmRequest(compute.pipeline, ctx.clients.armEndpoint, {
          method: 'PUT',
          path: lockPath(id, EVIDENCE_LOCK_NAME),
          apiVersion: LOCKS_API_VERSION,
          body: { properties: { level: 'CanNotDelete', notes: `Cordon ${input.incidentId}: evidence of ${input.target.id}; do not delete` } },
        })) as { id?: string } | undefined;
        locks.set(id, { kind: 'management-lock', level: 'CanNotDelete', id: put?.id ?? lockPath(id, EVIDENCE_LOCK_NAME) });
        lockedNow.push(armName(parseArmId(id) ?? target));
      }

      const evidence = all.map(({ disk, snap }) => itemOf(disk, snap, locks.get(snap.id as string)));
      const after = { vm: before.vm, disks: disks.map((d) => ({ ...d, snapshot: all.find((e) => e.disk.id === d.id)?.snap.id ?? null, locked: true, networkAccess: 'DenyAll' })) };
      if (made.length === 0 && closed.length === 0 && lockedNow.length === 0) {
        return { status: 'skipped', reason: 'already-done', summary: `all ${disks.length} disk(s) of ${armName(target)} already have a locked, closed snapshot for ${input.incidentId}`, before, evidence };
      }
      const parts = [
        made.length ? `${made.length} incremental snapshot(s) of ${disks.length} disk(s)` : '',
        closed.length ? `network access denied on ${closed.join(', ')}` : '',
        lockedNow.length ? `CanNotDelete lock on ${lockedNow.length} snapshot(s)` : '',
      ].filter(Boolean);
      return { status: 'succeeded', before, after, evidence, summary: `${armName(target)}: ${parts.join('; ')}` };
    } catch (e) {
      return failedFrom(e);
    }
  },
};
