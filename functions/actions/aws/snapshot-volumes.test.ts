import { describe, expect, it } from 'vitest';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { INSTANCE, INSTANCE_ARN, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { snapshotVolumes } from './snapshot-volumes.js';

const openEstate = useEstates();
const input = actionInput('snapshot-volumes', { type: 'AwsEc2Instance', id: INSTANCE_ARN });

describe('snapshot-volumes against the simulated estate', () => {
  it('takes one snapshot per attached volume, tagged with the incident, instance and volume', async () => {
    const estate = await openEstate();
    const result = await snapshotVolumes.run(input, estate.ctx(input.stepId));

    expect(result.status).toBe('succeeded');
    const volumes = estate.state.instances[INSTANCE]!.volumes.map((v) => v.volumeId);
    const snapshots = Object.values(estate.state.snapshots);
    expect(snapshots.map((s) => s.volumeId).sort()).toEqual([...volumes].sort());
    for (const s of snapshots) {
      expect(s.tags).toMatchObject({ 'cordon:incident': input.incidentId, 'cordon:instance': INSTANCE, 'cordon:volume': s.volumeId });
    }
    if (result.status !== 'succeeded') return;
    expect(result.evidence).toHaveLength(2);
    expect(result.evidence[0]).toMatchObject({ kind: 'ebs-snapshot', of: volumes[0], tags: { 'cordon:incident': input.incidentId, 'cordon:volume': volumes[0] } });
    expect(Date.parse(result.evidence[0]!.takenAt)).not.toBeNaN();
    // One crash-consistent multi-volume call, not one call per volume.
    expect(estate.server.callsFor(input.stepId).filter((c) => c.operation === 'ec2:CreateSnapshots')).toHaveLength(1);
  });

  it('is idempotent: a second run finds the snapshots by the incident tag and creates none', async () => {
    const estate = await openEstate();
    await snapshotVolumes.run(input, estate.ctx(input.stepId));
    const snapshot = structuredClone(estate.state);
    const callsBefore = estate.server.calls.length;

    const second = await snapshotVolumes.run(input, estate.ctx(input.stepId));

    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(estate.state).toEqual(snapshot);
    expect(estate.server.calls.slice(callsBefore).map((c) => c.operation)).toEqual(['ec2:DescribeInstances', 'ec2:DescribeSnapshots']);
  });

  it('after a partial run, snapshots only the volumes still missing', async () => {
    const estate = await openEstate();
    const [root, data] = estate.state.instances[INSTANCE]!.volumes;
    estate.state.snapshots['snap-0earlier00000001'] = {
      id: 'snap-0earlier00000001',
      volumeId: root!.volumeId,
      volumeSizeGiB: 8,
      description: 'earlier',
      startTime: '2024-06-01T11:59:00.000Z',
      state: 'completed',
      tags: { 'cordon:incident': input.incidentId, 'cordon:instance': INSTANCE },
    };

    const result = await snapshotVolumes.run(input, estate.ctx(input.stepId));

    expect(result.status).toBe('succeeded');
    const forData = Object.values(estate.state.snapshots).filter((s) => s.volumeId === data!.volumeId);
    const forRoot = Object.values(estate.state.snapshots).filter((s) => s.volumeId === root!.volumeId);
    expect([forRoot.length, forData.length]).toEqual([1, 1]);
  });

  it('logs ec2:CreateSnapshots under the step', async () => {
    const estate = await openEstate();
    await snapshotVolumes.run(input, estate.ctx(input.stepId));
    expect(estate.server.callsFor(input.stepId).map((c) => c.operation)).toEqual(['ec2:DescribeInstances', 'ec2:DescribeSnapshots', 'ec2:CreateSnapshots', 'ec2:CreateTags', 'ec2:CreateTags']);
  });
});
