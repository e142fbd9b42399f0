/**
 * Azure Resource Manager over the simulated estate: JSON over `/subscriptions/...?api-version=…`,
 * with operations named as RBAC actions (`Microsoft.Network/networkInterfaces/write`).
 * Long-running PUTs answer as ARM does — 200/201 with `Azure-AsyncOperation` and `Location`, the
 * status endpoint reports InProgress then Succeeded — with `Retry-After: 0` so the real clients'
 * pollers (core-lro) finish at once.
 */
import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse, SimService } from '../server.js';
import { armName, armType, parseArmId, resourceId, sameArmId, type ArmId } from '../../adapters/azure/arm-id.js';
import type { AzureEstateState, SimDefenderAlert, SimDisk, SimNic, SimNsg, SimSecurityRule, SimSnapshot, SimStorageAccount, SimVm } from './state.js';

const key = (id: string) => id.toLowerCase();

interface ArmRoute {
  /** Parsed resource id, or the collection's parent when `collection` is set. */
  id: ArmId;
  /** A list (GET …/snapshots) or an action (POST …/alerts/x/inProgress): the trailing segment. */
  trailing?: string;
  operation: string;
}

/** `/subscriptions/S/resourceGroups/RG/providers/NS/t/n[/t/n…][/trailing]` → route and RBAC name. */
export function routeArm(method: string, path: string): ArmRoute | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  const providers = segments.findIndex((s) => s.toLowerCase() === 'providers');
  if (segments[0]?.toLowerCase() !== 'subscriptions' || providers < 0) return undefined;
  const odd = (segments.length - providers - 2) % 2 === 1;
  const trailing = odd ? segments[segments.length - 1] : undefined;
  const base = odd ? segments.slice(0, -1) : segments;
  const collectionOnly = segments.length - providers - 2 === 1;
  if (collectionOnly) {
    // `…/providers/NS/type`: a list; represent it with an empty name list.
    const sub = segments[1] as string;
    const rg = segments[2]?.toLowerCase() === 'resourcegroups' ? segments[3] : undefined;
    const ns = segments[providers + 1] as string;
    const id: ArmId = { id: path, subscriptionId: sub, ...(rg ? { resourceGroup: rg } : {}), namespace: ns, types: [], names: [] };
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

const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomUUID(), ...headers },
  body: JSON.stringify(body),
});
const armError = (status: number, code: string, message: string, headers: Record<string, string> = {}): SimResponse =>
  json(status, { error: { code, message } }, headers);
const notFound = (id: string, type: string) =>
  armError(404, 'ResourceNotFound', `The Resource '${type}/${id.split('/').pop()}' under resource group '${parseArmId(id)?.resourceGroup ?? ''}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);

function parseBody(req: SimRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(req.body.toString('utf8') || '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
/** The envelope every tracked ARM resource shares. */
const tracked = (r: { id: string; location: string; tags: Record<string, string> }, type: string) => ({
  id: r.id,
  name: r.id.split('/').pop() as string,
  type,
  location: r.location,
  tags: r.tags,
});
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const tagsOf = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

export function createArmService(state: AzureEstateState): SimService {
  const provisioningState = (id: string) => (state.provisioning.has(key(id)) ? 'Updating' : 'Succeeded');

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

  const nicView = (nic: SimNic) => {
    const parsed = parseArmId(nic.id) as ArmId;
    return {
      ...tracked(nic, 'Microsoft.Network/networkInterfaces'),
      etag: etag(nic),
      properties: {
        provisioningState: provisioningState(nic.id),
        ipConfigurations: [
          {
            id: `${nic.id}/ipConfigurations/ipconfig1`,
            name: 'ipconfig1',
            properties: {
              privateIPAddress: nic.privateIp,
              privateIPAllocationMethod: 'Dynamic',
              primary: true,
              subnet: { id: resourceId(parsed.subscriptionId, parsed.resourceGroup ?? '', 'Microsoft.Network/virtualNetworks', 'vnet') + '/subnets/default' },
            },
          },
        ],
        ...(nic.nsgId ? { networkSecurityGroup: { id: nic.nsgId } } : {}),
        ...(nic.vmId ? { virtualMachine: { id: nic.vmId } } : {}),
      },
    };
  };

  const nsgView = (nsg: SimNsg) => ({
    ...tracked(nsg, 'Microsoft.Network/networkSecurityGroups'),
    etag: etag(nsg),
    properties: {
      provisioningState: provisioningState(nsg.id),
      securityRules: nsg.rules.map((r) => ({
        id: `${nsg.id}/securityRules/${r.name}`,
        name: r.name,
        type: 'Microsoft.Network/networkSecurityGroups/securityRules',
        properties: { ...r.properties, provisioningState: 'Succeeded' },
      })),
      networkInterfaces: [...state.nics.values()].filter((n) => sameArmId(n.nsgId, nsg.id)).map((n) => ({ id: n.id })),
    },
  });

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
      provisioningState: provisioningState(s.id),
      uniqueId: vmUuid(s.id),
    },
  });

  const storageView = (sa: SimStorageAccount) => {
    const name = sa.id.split('/').pop() as string;
    return {
      ...tracked(sa, 'Microsoft.Storage/storageAccounts'),
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS', tier: 'Standard' },
      properties: {
        provisioningState: 'Succeeded',
        ...(sa.allowBlobPublicAccess === undefined ? {} : { allowBlobPublicAccess: sa.allowBlobPublicAccess }),
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/` },
      },
    };
  };

  const alertView = (a: SimDefenderAlert) => ({
    id: a.id,
    name: a.id.split('/').pop(),
    type: 'Microsoft.Security/Locations/alerts',
    properties: {
      status: a.status,
      alertType: a.alertType,
      alertDisplayName: a.displayName,
      severity: a.severity,
      ...(a.compromisedEntity ? { compromisedEntity: a.compromisedEntity } : {}),
      productName: 'Microsoft Defender for Cloud',
    },
  });

  /** Starts a long-running operation on `id` and answers the PUT as ARM does. */
  const accepted = (req: SimRequest, id: ArmId, location: string, created: boolean, body: unknown): SimResponse => {
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
  };

  const operationStatus = (req: SimRequest, opId: string): SimResponse => {
    const op = state.operations.get(opId);
    if (!op) return armError(404, 'ResourceNotFound', `Operation ${opId} was not found.`);
    const done = op.pollsUntilDone <= 0;
    op.pollsUntilDone -= 1;
    if (done) state.provisioning.delete(key(op.resourceId));
    if (req.query.get('monitor') === 'true') return done ? { status: 200, headers: { 'content-length': '0' } } : { status: 202, headers: { 'retry-after': '0' } };
    return json(200, { name: opId, status: done ? 'Succeeded' : 'InProgress', startTime: op.startTime, ...(done ? { endTime: state.now().toISOString() } : {}) }, done ? {} : { 'retry-after': '0' });
  };

  const putNsg = (req: SimRequest, id: ArmId): SimResponse => {
    const body = parseBody(req);
    const location = str(body?.location);
    if (!body || !location) return armError(400, 'LocationRequired', 'The location property is required for this definition.');
    const rules: SimSecurityRule[] = [];
    for (const raw of (obj(body.properties).securityRules as unknown[] | undefined) ?? []) {
      const r = obj(raw);
      const p = obj(r.properties);
      const name = str(r.name);
      const priority = p.priority;
      if (!name || typeof priority !== 'number' || priority < 100 || priority > 4096) {
        return armError(400, 'SecurityRuleInvalidPriority', `Security rule ${name ?? '?'} has invalid priority ${String(priority)}. Value provided: ${String(priority)} Allowed range 100-4096.`);
      }
      rules.push({
        name,
        properties: {
          priority,
          direction: p.direction === 'Outbound' ? 'Outbound' : 'Inbound',
          access: p.access === 'Deny' ? 'Deny' : 'Allow',
          protocol: str(p.protocol) ?? '*',
          sourceAddressPrefix: str(p.sourceAddressPrefix) ?? '*',
          sourcePortRange: str(p.sourcePortRange) ?? '*',
          destinationAddressPrefix: str(p.destinationAddressPrefix) ?? '*',
          destinationPortRange: str(p.destinationPortRange) ?? '*',
          ...(str(p.description) ? { description: str(p.description) as string } : {}),
        },
      });
    }
    const existing = state.nsgs.get(key(id.id));
    const nsg: SimNsg = { id: existing?.id ?? id.id, location, tags: tagsOf(body.tags), rules };
    state.nsgs.set(key(id.id), nsg);
    const answer = accepted(req, id, location, !existing, {});
    return { ...answer, body: JSON.stringify(nsgView(nsg)) };
  };

  const putNic = (req: SimRequest, id: ArmId): SimResponse => {
    const nic = state.nics.get(key(id.id));
    if (!nic) return armError(400, 'InvalidRequestFormat', 'Creating network interfaces is not supported by the simulated estate.');
    const body = parseBody(req);
    if (!body) return armError(400, 'InvalidRequestFormat', 'Cannot parse the request.');
    const nsgId = str(obj(obj(body.properties).networkSecurityGroup).id);
    if (nsgId !== undefined) {
      const nsg = state.nsgs.get(key(nsgId));
      if (!nsg) return armError(400, 'InvalidResourceReference', `Resource ${nsgId} referenced by resource ${nic.id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
      if (nsg.location.toLowerCase() !== nic.location.toLowerCase()) {
        return armError(400, 'InvalidResourceReference', `Resource ${nsgId} referenced by resource ${nic.id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
      }
    }
    if (nsgId === undefined) delete nic.nsgId;
    else nic.nsgId = state.nsgs.get(key(nsgId))?.id ?? nsgId;
    nic.tags = body.tags === undefined ? nic.tags : tagsOf(body.tags);
    const answer = accepted(req, id, nic.location, false, {});
    return { ...answer, body: JSON.stringify(nicView(nic)) };
  };

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
    const answer = accepted(req, id, location, !existing, {});
    return { ...answer, body: JSON.stringify(snapshotView(snap)) };
  };

  const patchStorage = (req: SimRequest, sa: SimStorageAccount): SimResponse => {
    const body = parseBody(req);
    if (!body) return armError(400, 'InvalidRequestFormat', 'Cannot parse the request.');
    const value = obj(body.properties).allowBlobPublicAccess;
    if (typeof value === 'boolean') sa.allowBlobPublicAccess = value;
    if (body.tags !== undefined) sa.tags = tagsOf(body.tags);
    return json(200, storageView(sa));
  };

  const alertAction: Record<string, SimDefenderAlert['status']> = { inprogress: 'InProgress', activate: 'Active', resolve: 'Resolved', dismiss: 'Dismissed' };

  const handle = (req: SimRequest, route: ArmRoute): SimResponse => {
    const { id, trailing } = route;
    const type = [id.namespace, ...id.types].join('/').toLowerCase();
    const get = <T>(map: Map<string, T>, view: (t: T) => unknown, typeName: string): SimResponse => {
      const item = map.get(key(id.id));
      return item ? json(200, view(item)) : notFound(id.id, typeName);
    };
    if (type.endsWith('/locations/operations') && req.method === 'GET') return operationStatus(req, armName(id));
    if (id.types.length === 0 && trailing) {
      // A list: snapshots in a resource group or subscription.
      if (`${id.namespace}/${trailing}`.toLowerCase() === 'microsoft.compute/snapshots') {
        const inScope = [...state.snapshots.values()].filter((s) => {
          const p = parseArmId(s.id);
          return p?.subscriptionId.toLowerCase() === id.subscriptionId.toLowerCase() && (!id.resourceGroup || p.resourceGroup?.toLowerCase() === id.resourceGroup.toLowerCase());
        });
        return json(200, { value: inScope.map(snapshotView) });
      }
      return armError(400, 'InvalidResourceType', `The resource type '${trailing}' could not be found in the namespace '${id.namespace}'.`);
    }
    switch (type) {
      case 'microsoft.compute/virtualmachines':
        if (req.method === 'GET' && !trailing) return get(state.vms, vmView, 'Microsoft.Compute/virtualMachines');
        break;
      case 'microsoft.compute/disks':
        if (req.method === 'GET' && !trailing) return get(state.disks, diskView, 'Microsoft.Compute/disks');
        break;
      case 'microsoft.compute/snapshots':
        if (req.method === 'GET' && !trailing) return get(state.snapshots, snapshotView, 'Microsoft.Compute/snapshots');
        if (req.method === 'PUT') return putSnapshot(req, id);
        break;
      case 'microsoft.network/networkinterfaces':
        if (req.method === 'GET' && !trailing) return get(state.nics, nicView, 'Microsoft.Network/networkInterfaces');
        if (req.method === 'PUT') return state.nics.has(key(id.id)) ? putNic(req, id) : notFound(id.id, 'Microsoft.Network/networkInterfaces');
        break;
      case 'microsoft.network/networksecuritygroups':
        if (req.method === 'GET' && !trailing) return get(state.nsgs, nsgView, 'Microsoft.Network/networkSecurityGroups');
        if (req.method === 'PUT') return putNsg(req, id);
        break;
      case 'microsoft.storage/storageaccounts': {
        const sa = state.storageAccounts.get(key(id.id));
        if (!sa) return notFound(id.id, 'Microsoft.Storage/storageAccounts');
        if (req.method === 'GET' && !trailing) return json(200, storageView(sa));
        if (req.method === 'PATCH') return patchStorage(req, sa);
        break;
      }
      case 'microsoft.security/locations/alerts': {
        const alert = state.defenderAlerts.get(key(id.id));
        if (!alert) return armError(404, 'NotFound', `Alert ${armName(id)} was not found.`);
        if (req.method === 'GET' && !trailing) return json(200, alertView(alert));
        const next = trailing ? alertAction[trailing.toLowerCase()] : undefined;
        if (req.method === 'POST' && next) {
          alert.status = next;
          return { status: 204, headers: { 'x-ms-request-id': randomUUID() } };
        }
        break;
      }
    }
    return armError(405, 'MethodNotAllowed', `The simulated estate does not serve ${req.method} ${req.path}.`);
  };

  return {
    name: 'azure-arm',
    identify: (req) => routeArm(req.method, req.path)?.operation,
    handle: (req) => {
      const route = routeArm(req.method, req.path);
      if (!route) return armError(400, 'InvalidRequestUri', `Invalid request URI ${req.path}`);
      if (!req.query.get('api-version')) {
        return armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
      }
      if (!/^Bearer \S+/.test(String(req.headers.authorization ?? ''))) {
        return armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
      }
      return handle(req, route);
    },
    throttled: (req, operation) => {
      const kind = req.method === 'GET' ? 'reads' : 'writes';
      return armError(429, 'TooManyRequests', `Number of '${kind === 'reads' ? 'read' : 'write'}' requests for subscription exceeded the limit (simulated throttling of ${operation}). Please try again after '0' seconds.`, {
        'retry-after': '0',
        [`x-ms-ratelimit-remaining-subscription-${kind}`]: '0',
      });
    },
    internalError: () =>
      armError(500, 'InternalServerError', `Encountered internal server error. Diagnostic information: timestamp '${state.now().toISOString()}', tracking id '${randomUUID()}'.`),
    accessDenied: (req, operation) =>
      armError(
        403,
        'AuthorizationFailed',
        `The client '00000000-0000-0000-0000-00000000c0d0' with object id '00000000-0000-0000-0000-00000000c0d0' does not have authorization to perform action '${operation}' over scope '${req.path}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      ),
  };
}

/** A stable uuid-shaped id derived from an ARM id (vmId, disk uniqueId). */
function vmUuid(id: string): string {
  let h = 0x811c9dc5;
  const hex: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (const ch of `${round}:${id.toLowerCase()}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    hex.push(h.toString(16).padStart(8, '0'));
  }
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

function etag(resource: object): string {
  return `W/"${vmUuid(JSON.stringify(resource))}"`;
}
