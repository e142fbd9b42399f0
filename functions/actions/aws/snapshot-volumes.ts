import {
  CopySnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DescribeLockedSnapshotsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  LockSnapshotCommand,
  ModifySnapshotAttributeCommand,
  type EC2Client,
  type LockedSnapshotsInfo,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { instanceIdOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import { preservationFromParams, type PreservationSettings } from '../../core/actions/preservation.js';
import type { ActionInput, ActionResult, EvidenceItem, EvidenceLock, PlannedCall } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { withInstance } from './instance.js';
import { alreadyDone, incidentTags, toTagList } from './common.js';

/**
 * Evidence preservation that survives the attacker and a crash:
 * 1. one CreateSnapshots call takes crash-consistent snapshots of all the instance's EBS volumes,
 *    tagged with the incident and instance at creation; their ids go to the evidence sink (audit
 *    log + manifest) the moment the call returns, before anything else;
 * 2. each snapshot gets the EBS snapshot lock (mode and days from the step's params), so whoever
 *    holds the account cannot delete it;
 * 3. where a forensic account and its KMS key are configured, each snapshot is copied under that
 *    customer managed key (a snapshot under the AWS managed `aws/ebs` key cannot be shared), the copy
 *    is locked and shared with the forensic account, which takes its own copy from it.
 * A re-run finds everything by the incident tag: it snapshots only volumes that have none, and
 * finishes whatever lock or copy a crash left undone.
 */
const COPY_OF = 'cordon:copy-of';

function searchFilters(incidentId: string, instanceId: string) {
  return [
    { Name: 'tag:cordon:incident', Values: [incidentId] },
    { Name: 'tag:cordon:instance', Values: [instanceId] },
  ];
}

function lockRequest(snapshotId: string, p: PreservationSettings) {
  return { SnapshotId: snapshotId, LockMode: p.lock.mode, LockDuration: p.lock.days, ...(p.lock.coolOffHours !== undefined ? { CoolOffPeriod: p.lock.coolOffHours } : {}) };
}

function plannedCalls(input: ActionInput): PlannedCall[] {
  const instanceId = instanceIdOf(input.target.id);
  const settings = preservationFromParams(input.params);
  const p = settings.ok ? settings.value : undefined;
  const calls: PlannedCall[] = [
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
    { operation: 'ec2:DescribeLockedSnapshots', request: { SnapshotIds: ['<snapshot-id>'] } },
    ...(p ? [{ operation: 'ec2:LockSnapshot', request: lockRequest('<snapshot-id>', p) }] : []),
    { operation: 'ec2:CreateTags', request: { Resources: ['<snapshot-id>'], Tags: toTagList({ 'cordon:volume': '<volume-id>', 'cordon:device': '<device>' }) } },
  ];
  if (p?.forensic) {
    calls.push(
      {
        operation: 'ec2:CopySnapshot',
        request: { SourceSnapshotId: '<snapshot-id>', SourceRegion: input.region, Encrypted: true, KmsKeyId: p.forensic.kmsKeyId, TagSpecifications: [{ ResourceType: 'snapshot', Tags: toTagList({ [COPY_OF]: '<snapshot-id>' }) }] },
      },
      { operation: 'ec2:LockSnapshot', request: lockRequest('<copy-id>', p) },
      { operation: 'ec2:ModifySnapshotAttribute', request: { SnapshotId: '<copy-id>', Attribute: 'createVolumePermission', OperationType: 'add', UserIds: [p.forensic.account] } },
    );
  }
  return calls;
}

function lockOf(info: Pick<LockedSnapshotsInfo, 'LockState' | 'LockExpiresOn' | 'CoolOffPeriodExpiresOn'>): EvidenceLock | undefined {
  const state = info.LockState;
  if (state === undefined || state === 'expired') return undefined;
  const mode = state === 'governance' ? 'governance' : 'compliance';
  return {
    kind: 'ebs-snapshot-lock',
    mode,
    expiresOn: (info.LockExpiresOn ?? new Date(0)).toISOString(),
    ...(state === 'compliance-cooloff' && info.CoolOffPeriodExpiresOn ? { coolOffExpiresOn: info.CoolOffPeriodExpiresOn.toISOString() } : {}),
  };
}

/** The locks in place now (DescribeLockedSnapshots), by snapshot id. */
async function currentLocks(ec2: EC2Client, ids: readonly string[]): Promise<Map<string, EvidenceLock>> {
  const locks = new Map<string, EvidenceLock>();
  if (ids.length === 0) return locks;
  const described = await ec2.send(new DescribeLockedSnapshotsCommand({ SnapshotIds: [...ids] }));
  for (const info of described.Snapshots ?? []) {
    const lock = lockOf(info);
    if (info.SnapshotId && lock) locks.set(info.SnapshotId, lock);
  }
  return locks;
}

/** Locks every snapshot not yet locked; returns each snapshot's lock and the ids it locked now. */
async function lockAll(ec2: EC2Client, ids: readonly string[], p: PreservationSettings): Promise<{ locks: Map<string, EvidenceLock>; lockedNow: string[] }> {
  const locks = await currentLocks(ec2, ids);
  const lockedNow: string[] = [];
  for (const id of ids) {
    if (locks.has(id)) continue;
    const out = await ec2.send(new LockSnapshotCommand(lockRequest(id, p)));
    const lock = lockOf(out);
    if (lock) locks.set(id, lock);
    lockedNow.push(id);
  }
  return { locks, lockedNow };
}

interface Original {
  snapshotId: string;
  volumeId: string;
  device?: string;
  takenAt: string;
  state?: string;
  sizeGiB?: number;
  tags: Record<string, string>;
}

function evidenceOf(o: Original, instanceId: string, lock: EvidenceLock | undefined, copiedTo: string | undefined): EvidenceItem {
  return {
    kind: 'ebs-snapshot',
    id: o.snapshotId,
    of: o.volumeId,
    takenAt: o.takenAt,
    tags: o.tags,
    details: { instanceId, device: o.device, volumeSizeGiB: o.sizeGiB, state: o.state },
    ...(lock ? { lock } : {}),
    ...(copiedTo ? { copiedTo } : {}),
  };
}

function tagsOf(s: Snapshot): Record<string, string> {
  return Object.fromEntries((s.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key as string, t.Value ?? '']));
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  const settings = preservationFromParams(input.params);
  if (!settings.ok) return { status: 'failed', errorClass: 'InvalidTarget', message: `snapshot-volumes: step params: ${settings.problem}` };
  const p = settings.value;
  return withInstance(input, ctx, async (instance, ec2, instanceId) => {
    const volumes = (instance.BlockDeviceMappings ?? []).filter((m) => m.Ebs?.VolumeId).map((m) => ({ volumeId: m.Ebs?.VolumeId as string, device: m.DeviceName }));
    if (volumes.length === 0) return { status: 'skipped', reason: 'unsupported-target', summary: `${instanceId} has no EBS volumes attached` };
    const deviceOf = (volumeId: string | undefined) => volumes.find((v) => v.volumeId === volumeId)?.device;

    const found = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: searchFilters(input.incidentId, instanceId) }))).Snapshots ?? [];
    // Copies carry the incident tags too, and name their source.
    const foundCopies = new Map(found.filter((s) => tagsOf(s)[COPY_OF]).map((s) => [tagsOf(s)[COPY_OF] as string, s]));
    const originals: Original[] = found
      .filter((s) => !tagsOf(s)[COPY_OF])
      .map((s) => ({ snapshotId: s.SnapshotId ?? '', volumeId: s.VolumeId ?? '', device: deviceOf(s.VolumeId), takenAt: (s.StartTime ?? new Date(0)).toISOString(), state: s.State, sizeGiB: s.VolumeSize, tags: tagsOf(s) }));
    const before = { instanceId, volumes, snapshots: originals.map((o) => ({ id: o.snapshotId, volumeId: o.volumeId, state: o.state })) };
    const covered = new Set(originals.map((o) => o.volumeId));
    const missing = volumes.filter((v) => !covered.has(v.volumeId));

    const made: Original[] = [];
    if (missing.length > 0) {
      const rootDevice = instance.RootDeviceName;
      const excludeBoot = !missing.some((v) => v.device === rootDevice);
      const excludeData = volumes.filter((v) => v.device !== rootDevice && covered.has(v.volumeId)).map((v) => v.volumeId);
      const tags = { ...incidentTags(input), 'cordon:instance': instanceId };
      const created = await ec2.send(
        new CreateSnapshotsCommand({
          InstanceSpecification: { InstanceId: instanceId, ...(excludeBoot ? { ExcludeBootVolume: true } : {}), ...(excludeData.length ? { ExcludeDataVolumeIds: excludeData } : {}) },
          Description: `Cordon ${input.incidentId}: ${instanceId}`,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: toTagList(tags) }],
        }),
      );
      for (const s of created.Snapshots ?? []) {
        made.push({ snapshotId: s.SnapshotId ?? '', volumeId: s.VolumeId ?? '', device: deviceOf(s.VolumeId), takenAt: (s.StartTime ?? new Date(0)).toISOString(), state: s.State, sizeGiB: s.VolumeSize, tags });
      }
      // Before anything else can fail or the process die: the ids go on the record.
      await ctx.evidence?.record(made.map((o) => evidenceOf(o, instanceId, undefined, undefined)));
    }
    const all = [...originals, ...made];

    const { locks, lockedNow } = await lockAll(ec2, all.map((o) => o.snapshotId), p);
    if (lockedNow.length > 0) await ctx.evidence?.record(all.filter((o) => lockedNow.includes(o.snapshotId)).map((o) => evidenceOf(o, instanceId, locks.get(o.snapshotId), undefined)));

    for (const o of made) {
      const perVolume = { 'cordon:volume': o.volumeId, ...(o.device ? { 'cordon:device': o.device } : {}) };
      await ec2.send(new CreateTagsCommand({ Resources: [o.snapshotId], Tags: toTagList(perVolume) }));
      o.tags = { ...o.tags, ...perVolume };
    }

    const copies = p.forensic ? await forensicCopies(input, ec2, all, foundCopies, p) : { copiedTo: new Map<string, string>(), changed: [] as string[], pending: [] as string[] };
    const evidence = all.map((o) => evidenceOf(o, instanceId, locks.get(o.snapshotId), copies.copiedTo.get(o.snapshotId)));
    if (copies.pending.length > 0) {
      // The evidence (locked) is already on the record; the copy needs a completed source, so the step's Retry comes back for it.
      await ctx.evidence?.record(evidence);
      return { status: 'failed', errorClass: 'Transient', message: `snapshot(s) ${copies.pending.join(', ')} still pending: the forensic copy follows when they complete (the snapshots are recorded and locked)` };
    }
    const after = {
      instanceId,
      snapshots: evidence.map((e) => ({ id: e.id, volumeId: e.of, locked: e.lock !== undefined, ...(e.copiedTo ? { copiedTo: e.copiedTo } : {}) })),
    };
    if (made.length === 0 && lockedNow.length === 0 && copies.changed.length === 0) {
      return { ...alreadyDone(`every volume of ${instanceId} already has a locked snapshot for ${input.incidentId}`, before), evidence };
    }
    const parts = [
      made.length ? `${made.length} snapshot(s) ${made.map((o) => `${o.snapshotId} ← ${o.volumeId}`).join(', ')}` : '',
      lockedNow.length ? `locked (${p.lock.mode}, ${p.lock.days} days): ${lockedNow.join(', ')}` : '',
      copies.changed.length ? `copied for ${p.forensic?.account}: ${copies.changed.join(', ')}` : '',
    ].filter(Boolean);
    return { status: 'succeeded', before, after, evidence, summary: `${instanceId}: ${parts.join('; ')}` };
  });
}

/**
 * The copy for the forensic account, as AWS allows it: CopySnapshot under the forensic customer
 * managed key (never the `aws/ebs` default, which cannot be shared), the copy locked like the
 * original, then shared with the forensic account (createVolumePermission). Existing copies (a
 * re-run) are checked for their lock and their share. A source still pending cannot be copied yet.
 */
async function forensicCopies(input: ActionInput, ec2: EC2Client, originals: readonly Original[], found: ReadonlyMap<string, Snapshot>, p: PreservationSettings) {
  const forensic = p.forensic as NonNullable<PreservationSettings['forensic']>;
  const copiedTo = new Map<string, string>();
  const changed: string[] = [];
  const pending: string[] = [];
  // A snapshot just made says pending; read again the state of those still to copy.
  const sourceState = new Map(originals.map((o) => [o.snapshotId, o.state]));
  const recheck = originals.filter((o) => !found.has(o.snapshotId) && o.state !== 'completed').map((o) => o.snapshotId);
  if (recheck.length > 0) {
    for (const s of (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: recheck }))).Snapshots ?? []) sourceState.set(s.SnapshotId ?? '', s.State);
  }
  for (const o of originals) {
    let copyId = found.get(o.snapshotId)?.SnapshotId;
    let changedThis = false;
    if (!copyId) {
      if (sourceState.get(o.snapshotId) !== 'completed') {
        pending.push(o.snapshotId);
        continue;
      }
      const out = await ec2.send(
        new CopySnapshotCommand({
          SourceSnapshotId: o.snapshotId,
          SourceRegion: input.region,
          Encrypted: true,
          KmsKeyId: forensic.kmsKeyId,
          Description: `Cordon ${input.incidentId}: forensic copy of ${o.snapshotId}`,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: toTagList({ ...o.tags, [COPY_OF]: o.snapshotId }) }],
        }),
      );
      copyId = out.SnapshotId as string;
      changedThis = true;
    }
    const { lockedNow } = await lockAll(ec2, [copyId], p);
    const shared = (await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: copyId, Attribute: 'createVolumePermission' }))).CreateVolumePermissions ?? [];
    if (!shared.some((perm) => perm.UserId === forensic.account)) {
      await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: copyId, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: [forensic.account] }));
      changedThis = true;
    }
    copiedTo.set(o.snapshotId, `${forensic.account}:${copyId}`);
    if (changedThis || lockedNow.length > 0) changed.push(`${o.snapshotId} → ${copyId}`);
  }
  return { copiedTo, changed, pending };
}

export const snapshotVolumes: ActionModule<AwsContext> = { spec: actionSpec('snapshot-volumes'), plannedCalls, run };
