/** Microsoft.Compute over the estate: virtual machines and disks (read), snapshots (read, list, create). */
import type { SimRequest, SimResponse } from '../server.js';
import { parseArmId, type ArmId } from '../../core/arm-id.js';
import type { AzureEstateState, SimDisk, SimSnapshot, SimVm } from './state.js';
import { accepted, armError, getOne, json, key, notFound, obj, parseBody, provisioningState, str, tagsOf, tracked, vmUuid, type ArmProvider } from './arm-wire.js';

export function computeProvider(state: AzureEstateState): ArmProvider {
  const vmView = (vm: SimVm) => {
    const disk = (id: string) => state.disks.get(key(id));
    return {
      ...tracked(vm, 'Microsoft.Compute/virtualMachines'),
      properties: {
        vmId: vmUuid(vm.id),
        provisioningState: 'Succeeded',
        hardwareProfile: { vmSize: 'Standard_D2s_v3' },
        storageProfile: {
          osDisk: {
            osType: disk(vm.osDiskId)?.osType ?? 'Linux',
            name: vm.osDiskId.split('/').pop(),
            createOption: 'FromImage',
            caching: 'ReadWrite',
            managedDisk: { id: vm.osDiskId, storageAccountType: 'Premium_LRS' },
            diskSizeGB: disk(vm.osDiskId)?.sizeGb,
          },
          dataDisks: vm.dataDiskIds.map((id, lun) => ({
            lun,
            name: id.split('/').pop(),
            createOption: 'Empty',
            caching: 'None',
            managedDisk: { id, storageAccountType: 'Premium_LRS' },
            diskSizeGB: disk(id)?.sizeGb,
          })),
        },
        networkProfile: { networkInterfaces: vm.nicIds.map((id, i) => ({ id, properties: { primary: i === 0 } })) },
      },
    };
  };

  const diskView = (d: SimDisk) => ({
    ...tracked(d, 'Microsoft.Compute/disks'),
    ...(d.vmId ? { managedBy: d.vmId } : {}),
    sku: { name: 'Premium_LRS', tier: 'Premium' },
    properties: {
      ...(d.osType ? { osType: d.osType } : {}),
      creationData: { createOption: d.osType ? 'FromImage' : 'Empty' },
      diskSizeGB: d.sizeGb,
      diskState: d.vmId ? 'Attached' : 'Unattached',
      provisioningState: 'Succeeded',
      uniqueId: vmUuid(d.id),
    },
  });

  const snapshotView = (s: SimSnapshot) => ({
    ...tracked(s, 'Microsoft.Compute/snapshots'),
    sku: { name: 'Standard_LRS', tier: 'Standard' },
    properties: {
      creationData: { createOption: 'Copy', sourceResourceId: s.sourceResourceId, sourceUniqueId: vmUuid(s.sourceResourceId) },
      incremental: s.incremental,
      diskSizeGB: s.sizeGb,
      timeCreated: s.timeCreated,
      provisioningState: provisioningState(state, s.id),
      uniqueId: vmUuid(s.id),
    },
  });

  const putSnapshot = (req: SimRequest, id: ArmId): SimResponse => {
    const body = parseBody(req);
    const location = str(body?.location);
    if (!body || !location) return armError(400, 'LocationRequired', 'The location property is required for this definition.');
    const props = obj(body.properties);
    const creation = obj(props.creationData);
    const source = str(creation.sourceResourceId);
    if (creation.createOption !== 'Copy' || !source) return armError(400, 'InvalidParameter', "Required parameter 'creationData.sourceResourceId' is missing (null).");
    const disk = state.disks.get(key(source));
    if (!disk) return notFound(source, 'Microsoft.Compute/disks');
    const existing = state.snapshots.get(key(id.id));
    const snap: SimSnapshot = {
      id: existing?.id ?? id.id,
      location,
      tags: tagsOf(body.tags),
      sourceResourceId: disk.id,
      incremental: props.incremental === true,
      sizeGb: disk.sizeGb,
      timeCreated: existing?.timeCreated ?? state.now().toISOString(),
    };
    state.snapshots.set(key(id.id), snap);
    const answer = accepted(state, req, id, location, !existing, {});
    return { ...answer, body: JSON.stringify(snapshotView(snap)) };
  };

  return {
    resources: {
      'microsoft.compute/virtualmachines': (req, { id, trailing }) =>
        req.method === 'GET' && !trailing ? getOne(state.vms, id, vmView, 'Microsoft.Compute/virtualMachines') : undefined,
      'microsoft.compute/disks': (req, { id, trailing }) => (req.method === 'GET' && !trailing ? getOne(state.disks, id, diskView, 'Microsoft.Compute/disks') : undefined),
      'microsoft.compute/snapshots': (req, { id, trailing }) => {
        if (req.method === 'GET' && !trailing) return getOne(state.snapshots, id, snapshotView, 'Microsoft.Compute/snapshots');
        if (req.method === 'PUT') return putSnapshot(req, id);
        return undefined;
      },
    },
    lists: {
      // Snapshots in a resource group or subscription.
      'microsoft.compute/snapshots': (_req, { id }) => {
        const inScope = [...state.snapshots.values()].filter((s) => {
          const p = parseArmId(s.id);
          return p?.subscriptionId.toLowerCase() === id.subscriptionId.toLowerCase() && (!id.resourceGroup || p.resourceGroup?.toLowerCase() === id.resourceGroup.toLowerCase());
        });
        return json(200, { value: inScope.map(snapshotView) });
      },
    },
  };
}
