import { afterEach, describe, expect, it } from 'vitest';
import { SOURCE_DISK_TAG, snapshotDisks, snapshotName } from './snapshot-disks.js';
import { NOW, VM_ID, actionInput, startAzureSim, type AzureSim } from '../../../test/support/actions/azure/harness.js';

const input = actionInput('snapshot-disks', { type: 'Microsoft.Compute/virtualMachines', id: VM_ID });
let sim: AzureSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('snapshot-disks against the simulated estate', () => {
  it('takes one incremental, incident-tagged Copy snapshot per OS and data disk', async () => {
    sim = await startAzureSim();
    const result = await snapshotDisks.run(input, sim.ctx(input.stepId));
    expect(result.status).toBe('succeeded');
    const vm = sim.state.vms.get(VM_ID.toLowerCase());
    const disks = [vm?.osDiskId, ...(vm?.dataDiskIds ?? [])];
    expect(disks).toHaveLength(3);
    const snaps = [...sim.state.snapshots.values()];
    expect(snaps).toHaveLength(3);
    for (const disk of disks) {
      const snap = snaps.filter((s) => s.sourceResourceId === disk);
      expect(snap).toHaveLength(1);
      expect(snap[0]).toMatchObject({ incremental: true, location: 'westeurope', tags: { 'cordon:incident': 'inc-azure0001', [SOURCE_DISK_TAG]: disk } });
    }
    if (result.status !== 'succeeded') return;
    expect(result.evidence.map((e) => e.kind)).toEqual(['disk-snapshot', 'disk-snapshot', 'disk-snapshot']);
    expect(result.evidence.map((e) => e.of)).toEqual(disks);
    expect(result.evidence[0]).toMatchObject({ takenAt: NOW.toISOString(), details: { role: 'os', incremental: true } });
    expect(sim.server.calls.filter((c) => c.operation === 'Microsoft.Compute/snapshots/write')).toHaveLength(3);
  });

  it('is idempotent: a second run is skipped already-done with no second write', async () => {
    sim = await startAzureSim();
    await snapshotDisks.run(input, sim.ctx('first'));
    const second = await snapshotDisks.run(input, sim.ctx('second'));
    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(sim.server.callsFor('second').map((c) => c.operation)).toEqual(['Microsoft.Compute/virtualMachines/read', 'Microsoft.Compute/snapshots/read']);
    expect(sim.state.snapshots.size).toBe(3);
  });

  it('after a partial run only snapshots the disks still missing', async () => {
    sim = await startAzureSim({ faults: [] });
    await snapshotDisks.run(input, sim.ctx('first'));
    const first = [...sim.state.snapshots.keys()][0] as string;
    sim.state.snapshots.delete(first);
    const again = await snapshotDisks.run(input, sim.ctx('again'));
    expect(again.status === 'succeeded' && again.evidence).toHaveLength(1);
    expect(sim.state.snapshots.size).toBe(3);
  });

  it('keeps snapshot names within ARM limits and distinct per disk', () => {
    const long = `/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/${'d'.repeat(90)}`;
    expect(snapshotName('inc-1', long).length).toBeLessThanOrEqual(80);
    expect(snapshotName('inc-1', long)).not.toBe(snapshotName('inc-1', `${long}x`));
  });
});
