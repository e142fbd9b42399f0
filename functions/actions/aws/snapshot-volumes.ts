import { CreateSnapshotsCommand, CreateTagsCommand, DescribeSnapshotsCommand, type Snapshot } from '@aws-sdk/client-ec2';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { instanceIdOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, EvidenceItem, PlannedCall } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { withInstance } from './instance.js';
import { alreadyDone, incidentTags, toTagList } from './common.js';

/**
 * Evidence preservation: one CreateSnapshots call takes crash-consistent snapshots of all the
 * instance's EBS volumes at the same point in time. Snapshots are tagged with the incident and
 * instance at creation and then each with its volume. A re-run finds them by the incident tag
 * and only snapshots volumes that have none yet.
 */
function searchFilters(incidentId: string, instanceId: string) {
  return [
    { Name: 'tag:cordon:incident', Values: [incidentId] },
    { Name: 'tag:cordon:instance', Values: [instanceId] },
  ];
}

function plannedCalls(input: ActionInput): PlannedCall[] {
  const instanceId = instanceIdOf(input.target.id);
  return [
    { operation: 'ec2:DescribeInstances', request: { InstanceIds: [instanceId] } },
    { operation: 'ec2:DescribeSnapshots', request: { OwnerIds: ['self'], Filters: searchFilters(input.incidentId, instanceId) } },
    {
      operation: 'ec2:CreateSnapshots',
      request: {
        InstanceSpecification: { InstanceId: instanceId },
        Description: `Cordon ${input.incidentId}: ${instanceId}`,
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: toTagList({ ...incidentTags(input), 'cordon:instance': instanceId }) }],
      },
    },
    { operation: 'ec2:CreateTags', request: { Resources: ['<snapshot-id>'], Tags: toTagList({ 'cordon:volume': '<volume-id>', 'cordon:device': '<device>' }) } },
  ];
}

function evidenceOf(s: Snapshot, instanceId: string, device: string | undefined, tags: Record<string, string>): EvidenceItem {
  return {
    kind: 'ebs-snapshot',
    id: s.SnapshotId ?? '',
    of: s.VolumeId ?? '',
    takenAt: (s.StartTime ?? new Date(0)).toISOString(),
    tags,
    details: { instanceId, device, volumeSizeGiB: s.VolumeSize, state: s.State },
  };
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  return withInstance(input, ctx, async (instance, ec2, instanceId) => {
    const volumes = (instance.BlockDeviceMappings ?? []).filter((m) => m.Ebs?.VolumeId).map((m) => ({ volumeId: m.Ebs?.VolumeId as string, device: m.DeviceName }));
    if (volumes.length === 0) return { status: 'skipped', reason: 'unsupported-target', summary: `${instanceId} has no EBS volumes attached` };

    const existing = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: searchFilters(input.incidentId, instanceId) }))).Snapshots ?? [];
    const covered = new Set(existing.map((s) => s.VolumeId));
    const missing = volumes.filter((v) => !covered.has(v.volumeId));
    const before = { instanceId, volumes, snapshots: existing.map((s) => ({ id: s.SnapshotId, volumeId: s.VolumeId, state: s.State })) };
    if (missing.length === 0) return alreadyDone(`every volume of ${instanceId} already has a snapshot for ${input.incidentId}`, before);

    const rootDevice = instance.RootDeviceName;
    const excludeBoot = !missing.some((v) => v.device === rootDevice);
    const excludeData = volumes.filter((v) => v.device !== rootDevice && covered.has(v.volumeId)).map((v) => v.volumeId);
    const tags = { ...incidentTags(input), 'cordon:instance': instanceId };
    const made = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instanceId, ...(excludeBoot ? { ExcludeBootVolume: true } : {}), ...(excludeData.length ? { ExcludeDataVolumeIds: excludeData } : {}) },
        Description: `Cordon ${input.incidentId}: ${instanceId}`,
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: toTagList(tags) }],
      }),
    );
    const evidence: EvidenceItem[] = [];
    for (const s of made.Snapshots ?? []) {
      const device = volumes.find((v) => v.volumeId === s.VolumeId)?.device;
      const perVolume = { 'cordon:volume': s.VolumeId ?? '', ...(device ? { 'cordon:device': device } : {}) };
      await ec2.send(new CreateTagsCommand({ Resources: [s.SnapshotId as string], Tags: toTagList(perVolume) }));
      evidence.push(evidenceOf(s, instanceId, device, { ...tags, ...perVolume }));
    }
    const after = { instanceId, snapshots: [...before.snapshots, ...evidence.map((e) => ({ id: e.id, volumeId: e.of, state: e.details?.state }))] };
    return {
      status: 'succeeded',
      before,
      after,
      evidence,
      summary: `${evidence.length} snapshot(s) of ${instanceId}: ${evidence.map((e) => `${e.id} ← ${e.of}`).join(', ')}`,
    };
  });
}

export const snapshotVolumes: ActionModule<AwsContext> = { spec: actionSpec('snapshot-volumes'), plannedCalls, run };
