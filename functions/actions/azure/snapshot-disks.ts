/**
 * snapshot-disks: preserve an Azure VM's OS and data disks as incremental snapshots
 * (`creationData.createOption: Copy`), tagged with the incident and the source disk, each an
 * evidence item. Snapshot names are derived from incident and disk, and existing snapshots with
 * this incident's tag are found first, so a re-run (or a retry after a partial failure) only
 * takes the missing ones.
 */
import { createHash } from 'node:crypto';
import type { Snapshot } from '@azure/arm-compute';
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, EvidenceItem, PlannedCall } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { armName, sameArmId } from '../../core/arm-id.js';
import { INCIDENT_TAG, failedFrom, incidentTags, invalidTarget, targetArmId } from './common.js';

const VM_TYPE = 'Microsoft.Compute/virtualMachines';
export const SOURCE_DISK_TAG = 'cordon:source-disk';

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
          tags: { ...incidentTags(input), [SOURCE_DISK_TAG]: '<disk id>' },
        },
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
      if (missing.length === 0) {
        return { status: 'skipped', reason: 'already-done', summary: `all ${disks.length} disk(s) of ${armName(target)} already have a snapshot for ${input.incidentId}`, before };
      }

      const evidence: EvidenceItem[] = [];
      for (const disk of missing) {
        const tags = { ...incidentTags(input), [SOURCE_DISK_TAG]: disk.id };
        const snap = await compute.snapshots.beginCreateOrUpdateAndWait(
          target.resourceGroup,
          snapshotName(input.incidentId, disk.id),
          { location: vm.location, tags, incremental: true, creationData: { createOption: 'Copy', sourceResourceId: disk.id } },
          { updateIntervalInMs: ctx.clients.lroPollIntervalMs },
        );
        evidence.push({
          kind: 'disk-snapshot',
          id: snap.id ?? snapshotName(input.incidentId, disk.id),
          of: disk.id,
          takenAt: (snap.timeCreated ?? ctx.now()).toISOString(),
          tags,
          details: { role: disk.role, ...(disk.lun !== undefined ? { lun: disk.lun } : {}), incremental: snap.incremental ?? true, diskSizeGB: snap.diskSizeGB, location: snap.location },
        });
      }
      const after = { vm: before.vm, disks: disks.map((d) => ({ ...d, snapshot: taken(d)?.id ?? evidence.find((e) => sameArmId(e.of, d.id))?.id ?? null })) };
      return {
        status: 'succeeded',
        before,
        after,
        evidence,
        summary: `${armName(target)}: ${evidence.length} incremental snapshot(s) of ${disks.length} disk(s)`,
      };
    } catch (e) {
      return failedFrom(e);
    }
  },
};
