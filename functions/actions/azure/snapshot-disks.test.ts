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

  it('is idempotent: a second run is skipped already-done with no second write, and still lists the locked evidence', async () => {
    sim = await startAzureSim();
    await snapshotDisks.run(input, sim.ctx('first'));
    const second = await snapshotDisks.run(input, sim.ctx('second'));
    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(sim.server.callsFor('second').map((c) => c.operation)).toEqual([
      'Microsoft.Compute/virtualMachines/read',
      'Microsoft.Compute/snapshots/read',
      'Microsoft.Authorization/locks/read',
      'Microsoft.Authorization/locks/read',
      'Microsoft.Authorization/locks/read',
    ]);
    expect(sim.state.snapshots.size).toBe(3);
    if (second.status === 'skipped') expect(second.evidence?.map((e) => e.lock?.kind)).toEqual(['management-lock', 'management-lock', 'management-lock']);
  });

  it('locks each snapshot CanNotDelete and denies its network access; a delete and an export are refused', async () => {
    sim = await startAzureSim();
    const result = await snapshotDisks.run(input, sim.ctx(input.stepId));
    expect(result.status).toBe('succeeded');
    const snaps = [...sim.state.snapshots.values()];
    for (const s of snaps) expect(s).toMatchObject({ networkAccessPolicy: 'DenyAll', publicNetworkAccess: 'Disabled' });
    expect([...sim.state.locks.values()].map((l) => [l.scope.toLowerCase(), l.level]).sort()).toEqual(snaps.map((s) => [s.id.toLowerCase(), 'CanNotDelete']).sort());
    if (result.status === 'succeeded') expect(result.evidence.every((e) => e.lock?.kind === 'management-lock' && e.lock.level === 'CanNotDelete')).toBe(true);

    const { compute } = sim.ctx('attacker').clients;
    const name = snaps[0]!.id.split('/').pop()!;
    await expect(compute.snapshots.beginDeleteAndWait('rg-prod', name, { updateIntervalInMs: 0 })).rejects.toMatchObject({ code: 'ScopeLocked', statusCode: 409 });
    await expect(compute.snapshots.beginGrantAccessAndWait('rg-prod', name, { access: 'Read', durationInSeconds: 3600 }, { updateIntervalInMs: 0 })).rejects.toMatchObject({ code: 'OperationNotAllowed' });
    expect(sim.state.snapshots.size).toBe(3);
  });

  it('the twin: without the lock and the network policy, the same delete and export succeed', async () => {
    sim = await startAzureSim();
    await snapshotDisks.run(input, sim.ctx(input.stepId));
    const snap = [...sim.state.snapshots.values()][0]!;
    sim.state.locks.clear();
    delete snap.networkAccessPolicy;
    delete snap.publicNetworkAccess;
    const { compute } = sim.ctx('attacker').clients;
    const name = snap.id.split('/').pop()!;
    const access = await compute.snapshots.beginGrantAccessAndWait('rg-prod', name, { access: 'Read', durationInSeconds: 3600 }, { updateIntervalInMs: 0 });
    expect(access.accessSAS).toMatch(/^https:\/\//);
    await compute.snapshots.beginDeleteAndWait('rg-prod', name, { updateIntervalInMs: 0 });
    expect(sim.state.snapshots.has(snap.id.toLowerCase())).toBe(false);
  });

  it('records each snapshot through the evidence sink as soon as ARM has it, and a rerun finishes the protection a crash left undone', async () => {
    sim = await startAzureSim();
    const recorded: string[] = [];
    await snapshotDisks.run(input, { ...sim.ctx('first'), evidence: { record: async (items) => void recorded.push(...items.map((i) => i.id)) } });
    expect(recorded).toHaveLength(3);
    // As if the first run died after the snapshots: no locks, network still open.
    sim.state.locks.clear();
    for (const s of sim.state.snapshots.values()) {
      delete s.networkAccessPolicy;
      delete s.publicNetworkAccess;
    }
    const rerun = await snapshotDisks.run(input, sim.ctx('rerun'));
    expect(rerun.status).toBe('succeeded');
    expect(sim.server.callsFor('rerun').filter((c) => c.operation === 'Microsoft.Compute/snapshots/write')).toHaveLength(3);
    expect(sim.state.locks.size).toBe(3);
    for (const s of sim.state.snapshots.values()) expect(s.networkAccessPolicy).toBe('DenyAll');
    if (rerun.status === 'succeeded') expect(rerun.evidence.map((e) => e.id).sort()).toEqual([...recorded].sort());
  });

  it('after a partial run only snapshots the disks still missing', async () => {
    sim = await startAzureSim({ faults: [] });
    await snapshotDisks.run(input, sim.ctx('first'));
    const first = [...sim.state.snapshots.keys()][0] as string;
    sim.state.snapshots.delete(first);
    const again = await snapshotDisks.run(input, sim.ctx('again'));
    // One new snapshot; the evidence lists all three (the two found by tag too), each locked.
    expect(sim.server.callsFor('again').filter((c) => c.operation === 'Microsoft.Compute/snapshots/write')).toHaveLength(1);
    expect(again.status === 'succeeded' && again.evidence.map((e) => e.lock?.kind)).toEqual(['management-lock', 'management-lock', 'management-lock']);
    expect(sim.state.snapshots.size).toBe(3);
  });

  it('keeps snapshot names within ARM limits and distinct per disk', () => {
    const long = `/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/${'d'.repeat(90)}`;
    expect(snapshotName('inc-1', long).length).toBeLessThanOrEqual(80);
    expect(snapshotName('inc-1', long)).not.toBe(snapshotName('inc-1', `${long}x`));
  });
});
