import { DeleteSnapshotCommand, DescribeLockedSnapshotsCommand, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../adapters/aws/errors.js';
import type { EvidenceItem, EvidenceSink } from '../../core/actions/types.js';
import { actionInput, errorOf } from '../../../test/support/actions/aws/harness.js';
import { INSTANCE, INSTANCE_ARN, TEST_ESTATE, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { snapshotVolumes } from './snapshot-volumes.js';

const openEstate = useEstates();
const input = actionInput('snapshot-volumes', { type: 'AwsEc2Instance', id: INSTANCE_ARN });
const FORENSIC = '999988887777';
const FORENSIC_KEY = `arn:aws:kms:eu-west-1:${FORENSIC}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const withForensic = { ...input, params: { forensicAccount: FORENSIC, forensicKmsKeyId: FORENSIC_KEY } };
/** Every volume encrypted under the AWS managed key, as EBS encryption by default leaves them. */
const ENCRYPTED_BY_DEFAULT = {
  ...TEST_ESTATE,
  instances: [{ ...TEST_ESTATE.instances![0]!, volumes: [{ id: 'vol-0root000000000001', size: 8, kmsKeyId: 'alias/aws/ebs' }, { id: 'vol-0data000000000002', size: 100, kmsKeyId: 'alias/aws/ebs' }] }],
};

/** The mode of an EBS snapshot lock, if the item has one. */
const modeOf = (item: EvidenceItem | undefined) => (item?.lock?.kind === 'ebs-snapshot-lock' ? item.lock.mode : undefined);

/** A sink that keeps what was recorded and what the estate had served at that moment. */
function recordingSink(served: () => string[]): EvidenceSink & { records: { items: EvidenceItem[]; servedSoFar: string[] }[] } {
  const records: { items: EvidenceItem[]; servedSoFar: string[] }[] = [];
  return { records, record: async (items) => void records.push({ items: [...items], servedSoFar: served() }) };
}

describe('snapshot-volumes against the simulated estate', () => {
  it('takes one snapshot per attached volume, tagged with the incident, instance and volume, and locks each', async () => {
    const estate = await openEstate();
    const result = await snapshotVolumes.run(input, estate.ctx(input.stepId));

    expect(result.status).toBe('succeeded');
    const volumes = estate.state.instances[INSTANCE]!.volumes.map((v) => v.volumeId);
    const snapshots = Object.values(estate.state.snapshots);
    expect(snapshots.map((s) => s.volumeId).sort()).toEqual([...volumes].sort());
    for (const s of snapshots) {
      expect(s.tags).toMatchObject({ 'cordon:incident': input.incidentId, 'cordon:instance': INSTANCE, 'cordon:volume': s.volumeId });
      // The default lock: governance mode for 30 days.
      expect(s.lock).toMatchObject({ mode: 'governance', durationDays: 30 });
    }
    if (result.status !== 'succeeded') return;
    expect(result.evidence).toHaveLength(2);
    expect(result.evidence[0]).toMatchObject({ kind: 'ebs-snapshot', of: volumes[0], tags: { 'cordon:incident': input.incidentId, 'cordon:volume': volumes[0] }, lock: { kind: 'ebs-snapshot-lock', mode: 'governance' } });
    expect(result.evidence.every((e) => e.copiedTo === undefined)).toBe(true);
    expect(Date.parse(result.evidence[0]!.takenAt)).not.toBeNaN();
    // One crash-consistent multi-volume call, not one call per volume.
    expect(estate.server.callsFor(input.stepId).filter((c) => c.operation === 'ec2:CreateSnapshots')).toHaveLength(1);
  });

  it('locks in compliance mode with the configured days and cooling-off period', async () => {
    const estate = await openEstate();
    const result = await snapshotVolumes.run({ ...input, params: { lockMode: 'compliance', lockDays: 365, lockCoolOffHours: 24 } }, estate.ctx(input.stepId));
    expect(result.status).toBe('succeeded');
    for (const s of Object.values(estate.state.snapshots)) expect(s.lock).toMatchObject({ mode: 'compliance', durationDays: 365, coolOffHours: 24 });
    if (result.status === 'succeeded') expect(result.evidence[0]?.lock).toMatchObject({ mode: 'compliance', coolOffExpiresOn: expect.any(String) });
  });

  it('a locked snapshot refuses deletion by whoever holds the account; its twin without the lock is deleted', async () => {
    const estate = await openEstate();
    await snapshotVolumes.run(input, estate.ctx(input.stepId));
    const [locked] = Object.keys(estate.state.snapshots);
    const { ec2 } = estate.ctx('attacker').clients;
    const refused = await errorOf(ec2.send(new DeleteSnapshotCommand({ SnapshotId: locked })));
    expect(classifyAwsError(refused)).toMatchObject({ code: 'SnapshotLocked' });
    expect(estate.state.snapshots[locked!]).toBeDefined();

    // The twin: the same snapshot without its lock (what the action did before issue 13) is gone in one call.
    delete estate.state.snapshots[locked!]!.lock;
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: locked }));
    expect(estate.state.snapshots[locked!]).toBeUndefined();
  });

  it('records the snapshot ids the moment CreateSnapshots returns, before locking or tagging', async () => {
    const estate = await openEstate();
    const sink = recordingSink(() => estate.server.calls.map((c) => c.operation));
    await snapshotVolumes.run(input, { ...estate.ctx(input.stepId), evidence: sink });
    const first = sink.records[0];
    expect(first?.servedSoFar.at(-1)).toBe('ec2:CreateSnapshots');
    expect(first?.items.map((i) => i.id).sort()).toEqual(Object.keys(estate.state.snapshots).sort());
    // Then again once locked, so the manifest shows the lock.
    expect(sink.records[1]?.items.every((i) => modeOf(i) === 'governance')).toBe(true);
  });

  it('a failure after CreateSnapshots still leaves the ids recorded; without the sink nothing would hold them', async () => {
    const estate = await openEstate(undefined, { faults: [{ operation: 'ec2:DescribeLockedSnapshots', kind: 'error' }] });
    const sink = recordingSink(() => []);
    const result = await snapshotVolumes.run(input, { ...estate.ctx(input.stepId), evidence: sink });
    expect(result).toMatchObject({ status: 'failed', errorClass: 'Transient' });
    expect(sink.records.flatMap((r) => r.items.map((i) => i.id)).sort()).toEqual(Object.keys(estate.state.snapshots).sort());
    expect(Object.keys(estate.state.snapshots)).toHaveLength(2);
  });

  it('a re-run after a crash recovers the snapshots by the incident tag, locks them, and takes none again', async () => {
    const estate = await openEstate();
    // The crashed run: snapshots made (and tagged at creation), nothing after.
    await snapshotVolumes.run(input, estate.ctx(input.stepId));
    for (const s of Object.values(estate.state.snapshots)) delete s.lock;
    const ids = Object.keys(estate.state.snapshots).sort();

    const rerun = await snapshotVolumes.run(input, estate.ctx(input.stepId));
    expect(rerun.status).toBe('succeeded');
    expect(Object.keys(estate.state.snapshots).sort()).toEqual(ids);
    if (rerun.status !== 'succeeded') return;
    expect(rerun.evidence.map((e) => [e.id, modeOf(e)]).sort()).toEqual(ids.map((id) => [id, 'governance']));
    expect(estate.server.calls.filter((c) => c.operation === 'ec2:CreateSnapshots')).toHaveLength(1);
  });

  it('is idempotent: a second run reports already-done and still lists the evidence with its locks', async () => {
    const estate = await openEstate();
    await snapshotVolumes.run(input, estate.ctx(input.stepId));
    const snapshot = structuredClone(estate.state);
    const callsBefore = estate.server.calls.length;

    const second = await snapshotVolumes.run(input, estate.ctx(input.stepId));

    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(estate.state).toEqual(snapshot);
    expect(estate.server.calls.slice(callsBefore).map((c) => c.operation)).toEqual(['ec2:DescribeInstances', 'ec2:DescribeSnapshots', 'ec2:DescribeLockedSnapshots']);
    if (second.status !== 'skipped') return;
    expect(second.evidence?.map(modeOf)).toEqual(['governance', 'governance']);
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
    expect(Object.values(estate.state.snapshots).every((s) => s.lock !== undefined)).toBe(true);
  });

  it('logs its calls under the step', async () => {
    const estate = await openEstate();
    await snapshotVolumes.run(input, estate.ctx(input.stepId));
    expect(estate.server.callsFor(input.stepId).map((c) => c.operation)).toEqual([
      'ec2:DescribeInstances',
      'ec2:DescribeSnapshots',
      'ec2:CreateSnapshots',
      'ec2:DescribeLockedSnapshots',
      'ec2:LockSnapshot',
      'ec2:LockSnapshot',
      'ec2:CreateTags',
      'ec2:CreateTags',
    ]);
    const locked = await estate.ctx('check').clients.ec2.send(new DescribeLockedSnapshotsCommand({}));
    expect(locked.Snapshots?.map((s) => s.LockState)).toEqual(['governance', 'governance']);
  });

  it('refuses step params it cannot honour, naming the field, and acts on nothing', async () => {
    const estate = await openEstate();
    const result = await snapshotVolumes.run({ ...input, params: { lockMode: 'forever' } }, estate.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'failed', errorClass: 'InvalidTarget', message: expect.stringContaining('lockMode') });
    expect(estate.server.calls).toEqual([]);
  });
});

describe('snapshot-volumes with a forensic account', () => {
  it('copies each snapshot under the forensic customer managed key, locks the copy and shares it with the forensic account', async () => {
    const estate = await openEstate(ENCRYPTED_BY_DEFAULT);
    const result = await snapshotVolumes.run(withForensic, estate.ctx(input.stepId));
    expect(result.status).toBe('succeeded');
    if (result.status !== 'succeeded') return;
    const all = Object.values(estate.state.snapshots);
    const originals = all.filter((s) => !s.copiedFrom);
    const copies = all.filter((s) => s.copiedFrom);
    expect(originals.map((s) => s.kmsKeyId)).toEqual(['alias/aws/ebs', 'alias/aws/ebs']);
    expect(copies.map((c) => [c.copiedFrom, c.kmsKeyId, c.sharedWith, c.lock?.mode])).toEqual(originals.map((o) => [o.id, FORENSIC_KEY, [FORENSIC], 'governance']));
    expect(result.evidence.map((e) => e.copiedTo)).toEqual(originals.map((o) => `${FORENSIC}:${copies.find((c) => c.copiedFrom === o.id)?.id}`));
    // A second run finds the copies by tag: nothing copied or shared twice.
    const again = await snapshotVolumes.run(withForensic, estate.ctx(input.stepId));
    expect(again).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(estate.server.calls.filter((c) => c.operation === 'ec2:CopySnapshot')).toHaveLength(2);
    if (again.status === 'skipped') expect(again.evidence?.map((e) => e.copiedTo)).toEqual(result.evidence.map((e) => e.copiedTo));
  });

  it('the twin: sharing the original under the AWS managed key is refused, as AWS refuses it', async () => {
    const estate = await openEstate(ENCRYPTED_BY_DEFAULT);
    await snapshotVolumes.run(input, estate.ctx(input.stepId));
    const [original] = Object.keys(estate.state.snapshots);
    const refused = await errorOf(
      estate.ctx('share').clients.ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: original, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: [FORENSIC] })),
    );
    expect(classifyAwsError(refused)).toMatchObject({ code: 'InvalidParameter' });
    expect(estate.state.snapshots[original!]?.sharedWith).toBeUndefined();
  });
});
