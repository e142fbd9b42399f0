/** Microsoft.Compute over the estate: virtual machines and disks (read), snapshots (read, list, create). */
import type { SimRequest, SimResponse } from '../server.js';
import { armName, parseArmId, type ArmId } from '../../core/arm-id.js';
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
      networkAccessPolicy: s.networkAccessPolicy ?? 'AllowAll',
      publicNetworkAccess: s.publicNetworkAccess ?? 'Enabled',
    },
  });

  const networkFields = (props: Record<string, unknown>): Pick<SimSnapshot, 'networkAccessPolicy' | 'publicNetworkAccess'> | SimResponse => {
    const policy = props.networkAccessPolicy;
    const access = props.publicNetworkAccess;
    if (policy !== undefined && policy !== 'AllowAll' && policy !== 'AllowPrivate' && policy !== 'DenyAll') return armError(400, 'InvalidParameter', `The value '${String(policy)}' of parameter 'networkAccessPolicy' is not valid.`);
    if (access !== undefined && access !== 'Enabled' && access !== 'Disabled') return armError(400, 'InvalidParameter', `The value '${String(access)}' of parameter 'publicNetworkAccess' is not valid.`);
    return { ...(policy !== undefined ? { networkAccessPolicy: policy } : {}), ...(access !== undefined ? { publicNetworkAccess: access } : {}) };
  };
  const isResponse = (v: object): v is SimResponse => 'status' in v;

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
    const network = networkFields(props);
    if (isResponse(network)) return network;
    const snap: SimSnapshot = {
      id: existing?.id ?? id.id,
      location,
      tags: tagsOf(body.tags),
      sourceResourceId: disk.id,
      incremental: props.incremental === true,
      sizeGb: disk.sizeGb,
      timeCreated: existing?.timeCreated ?? state.now().toISOString(),
      ...network,
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
        const snap = state.snapshots.get(key(id.id));
        if (!snap) return notFound(id.id, 'Microsoft.Compute/snapshots');
        if (req.method === 'PATCH' && !trailing) {
          const network = networkFields(obj(parseBody(req)?.properties));
          if (isResponse(network)) return network;
          Object.assign(snap, network);
          return json(200, snapshotView(snap));
        }
        // A delete under a management lock never gets here (arm.ts answers ScopeLocked).
        if (req.method === 'DELETE' && !trailing) {
          state.snapshots.delete(key(id.id));
          return { status: 200, headers: { 'content-length': '0' } };
        }
        // Export: a read SAS on the snapshot's data, which network access DenyAll / public access Disabled refuse.
        if (req.method === 'POST' && trailing?.toLowerCase() === 'begingetaccess') {
          if (snap.networkAccessPolicy === 'DenyAll' || snap.publicNetworkAccess === 'Disabled') {
            return armError(409, 'OperationNotAllowed', `The snapshot '${armName(id)}' cannot be exported: its network access policy is ${snap.networkAccessPolicy ?? 'AllowAll'} and public network access ${snap.publicNetworkAccess ?? 'Enabled'}.`);
          }
          return json(200, { accessSAS: `https://md-${vmUuid(snap.id).slice(0, 12)}.blob.core.windows.net/abcd/abcd?sv=2018-03-28&sr=b&sp=r&sig=simulated` });
        }
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
