import { afterEach, describe, expect, it } from 'vitest';
import { permissionNames } from '../../core/actions/types.js';
import { ISOLATION_NSG, quarantineVm } from './quarantine-vm.js';
import { RG, SUB, VM_ID, actionInput, startAzureSim, type AzureSim } from '../../../test/support/actions/azure/harness.js';

const input = actionInput('quarantine-vm', { type: 'Microsoft.Compute/virtualMachines', id: VM_ID });
const nsgId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/networkSecurityGroups/${ISOLATION_NSG}`;
let sim: AzureSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('quarantine-vm against the simulated estate', () => {
  it('associates a deny-all NSG (inbound and outbound Deny * at priority 100) with every NIC, recording the originals', async () => {
    const twoNics = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/db-01`;
    const bareNic = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/networkInterfaces/db-01-backend`;
    sim = await startAzureSim({ seed: { vms: [{ id: twoNics, location: 'westeurope', nics: [{}, { id: bareNic, nsg: null }] }] } });
    const step = actionInput('quarantine-vm', { type: 'Microsoft.Compute/virtualMachines', id: twoNics });
    const result = await quarantineVm.run(step, sim.ctx(step.stepId));

    expect(result.status).toBe('succeeded');
    const vm = sim.state.vms.get(twoNics.toLowerCase());
    expect(vm?.nicIds).toHaveLength(2);
    for (const nicId of vm?.nicIds ?? []) expect(sim.state.nics.get(nicId.toLowerCase())?.nsgId).toBe(nsgId);
    const nsg = sim.state.nsgs.get(nsgId.toLowerCase());
    expect(nsg?.location).toBe('westeurope');
    for (const direction of ['Inbound', 'Outbound']) {
      expect(nsg?.rules).toContainEqual(
        expect.objectContaining({
          properties: expect.objectContaining({ direction, access: 'Deny', priority: 100, protocol: '*', sourceAddressPrefix: '*', destinationAddressPrefix: '*', destinationPortRange: '*' }),
        }),
      );
    }
    if (result.status !== 'succeeded') return;
    const originalNsg = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/networkSecurityGroups/db-01-nsg`;
    expect(result.before).toEqual({
      vm: twoNics,
      nics: [
        { id: vm?.nicIds[0], networkSecurityGroup: originalNsg },
        { id: bareNic, networkSecurityGroup: null },
      ],
      isolationNsg: null,
    });
    // Flow re-evaluation on: established sessions are judged against the deny-all rules too.
    expect(nsg?.flushConnection).toBe(true);
    expect(result.evidence).toEqual([
      expect.objectContaining({ kind: 'isolation', id: nsgId, of: twoNics, tags: expect.objectContaining({ 'cordon:incident': 'inc-azure0001' }) }),
    ]);
    expect(result.evidence[0]?.details?.originalNetworkSecurityGroups).toEqual((result.before as { nics: unknown }).nics);
  });

  it('names the calls it made, all attributed to the step, with the NIC and NSG PUTs polled to completion', async () => {
    sim = await startAzureSim();
    await quarantineVm.run(input, sim.ctx(input.stepId));
    expect(sim.server.calls.every((c) => c.step === input.stepId)).toBe(true);
    expect(sim.server.calls.map((c) => c.operation)).toEqual([
      'Microsoft.Compute/virtualMachines/read',
      'Microsoft.Network/networkInterfaces/read',
      'Microsoft.Network/networkSecurityGroups/read',
      'Microsoft.Network/networkSecurityGroups/write',
      'Microsoft.Network/locations/operations/read',
      'Microsoft.Network/locations/operations/read',
      'Microsoft.Network/networkSecurityGroups/read',
      'Microsoft.Network/networkInterfaces/write',
      'Microsoft.Network/locations/operations/read',
      'Microsoft.Network/locations/operations/read',
      'Microsoft.Network/networkInterfaces/read',
    ]);
    expect(sim.state.provisioning.size).toBe(0);
  });

  it('is idempotent: a second run is skipped already-done and writes nothing', async () => {
    sim = await startAzureSim();
    expect((await quarantineVm.run(input, sim.ctx('first'))).status).toBe('succeeded');
    const second = await quarantineVm.run(input, sim.ctx('second'));
    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(sim.server.callsFor('second').map((c) => c.operation)).toEqual([
      'Microsoft.Compute/virtualMachines/read',
      'Microsoft.Network/networkInterfaces/read',
      'Microsoft.Network/networkSecurityGroups/read',
    ]);
  });

  it('repairs an isolation NSG whose deny rules were removed, without touching NICs already on it', async () => {
    sim = await startAzureSim();
    await quarantineVm.run(input, sim.ctx('first'));
    const nsg = sim.state.nsgs.get(nsgId.toLowerCase());
    if (nsg) nsg.rules = [];
    const again = await quarantineVm.run(input, sim.ctx('repair'));
    expect(again.status).toBe('succeeded');
    expect(sim.state.nsgs.get(nsgId.toLowerCase())?.rules).toHaveLength(2);
    expect(sim.server.callsFor('repair').map((c) => c.operation)).not.toContain('Microsoft.Network/networkInterfaces/write');
  });

  it('rejects a target that is not a VM id without calling Azure', async () => {
    sim = await startAzureSim();
    const bad = actionInput('quarantine-vm', { type: 'Microsoft.Compute/virtualMachines', id: 'web-01' });
    expect(await quarantineVm.run(bad, sim.ctx(bad.stepId))).toMatchObject({ status: 'failed', errorClass: 'InvalidTarget' });
    expect(sim.server.calls).toHaveLength(0);
  });

  it('plans exactly the RBAC operations its spec declares', () => {
    const planned = quarantineVm.plannedCalls(input).map((c) => c.operation);
    for (const op of planned) expect(permissionNames(quarantineVm.spec)).toContain(op);
    expect(planned).toContain('Microsoft.Network/networkInterfaces/write');
  });

  it('repairs an isolation NSG left without flushConnection, recording what it found (twin of the flow test)', async () => {
    sim = await startAzureSim();
    const deny = (direction: 'Inbound' | 'Outbound') => ({
      name: `cordon-deny-all-${direction.toLowerCase()}`,
      properties: { priority: 100, direction, access: 'Deny' as const, protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
    });
    sim.state.nsgs.set(nsgId.toLowerCase(), { id: nsgId, location: 'westeurope', tags: {}, rules: [deny('Inbound'), deny('Outbound')] });
    const result = await quarantineVm.run(input, sim.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'succeeded', before: { isolationNsg: { id: nsgId, flushConnection: false, isolating: false } }, after: { flushConnection: true } });
    expect(sim.state.nsgs.get(nsgId.toLowerCase())?.flushConnection).toBe(true);
    expect(sim.server.calls.map((c) => c.operation)).toContain('Microsoft.Network/networkSecurityGroups/write');
  });
});
