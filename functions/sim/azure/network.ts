/** Microsoft.Network over the estate: network interfaces (read, re-point their NSG) and network security groups (read, create). */
import type { SimRequest, SimResponse } from '../server.js';
import { parseArmId, resourceId, sameArmId, type ArmId } from '../../core/arm-id.js';
import type { AzureEstateState, SimNic, SimNsg, SimSecurityRule } from './state.js';
import { accepted, armError, etag, getOne, key, notFound, obj, parseBody, provisioningState, str, tagsOf, tracked, type ArmProvider } from './arm-wire.js';

export function networkProvider(state: AzureEstateState): ArmProvider {
  const nicView = (nic: SimNic) => {
    const parsed = parseArmId(nic.id) as ArmId;
    return {
      ...tracked(nic, 'Microsoft.Network/networkInterfaces'),
      etag: etag(nic),
      properties: {
        provisioningState: provisioningState(state, nic.id),
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
      provisioningState: provisioningState(state, nsg.id),
      ...(nsg.flushConnection !== undefined ? { flushConnection: nsg.flushConnection } : {}),
      securityRules: nsg.rules.map((r) => ({
        id: `${nsg.id}/securityRules/${r.name}`,
        name: r.name,
        type: 'Microsoft.Network/networkSecurityGroups/securityRules',
        properties: { ...r.properties, provisioningState: 'Succeeded' },
      })),
      networkInterfaces: [...state.nics.values()].filter((n) => sameArmId(n.nsgId, nsg.id)).map((n) => ({ id: n.id })),
    },
  });

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
    // A PUT replaces the resource: flushConnection is whatever this body says (absent = off).
    const flush = obj(body.properties).flushConnection;
    const nsg: SimNsg = { id: existing?.id ?? id.id, location, tags: tagsOf(body.tags), rules, ...(typeof flush === 'boolean' ? { flushConnection: flush } : {}) };
    state.nsgs.set(key(id.id), nsg);
    const answer = accepted(state, req, id, location, !existing, {});
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
    const answer = accepted(state, req, id, nic.location, false, {});
    return { ...answer, body: JSON.stringify(nicView(nic)) };
  };

  return {
    resources: {
      'microsoft.network/networkinterfaces': (req, { id, trailing }) => {
        if (req.method === 'GET' && !trailing) return getOne(state.nics, id, nicView, 'Microsoft.Network/networkInterfaces');
        if (req.method === 'PUT') return state.nics.has(key(id.id)) ? putNic(req, id) : notFound(id.id, 'Microsoft.Network/networkInterfaces');
        return undefined;
      },
      'microsoft.network/networksecuritygroups': (req, { id, trailing }) => {
        if (req.method === 'GET' && !trailing) return getOne(state.nsgs, id, nsgView, 'Microsoft.Network/networkSecurityGroups');
        if (req.method === 'PUT') return putNsg(req, id);
        return undefined;
      },
    },
  };
}
