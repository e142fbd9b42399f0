import type { SimResponse } from '../server.js';
import { Ec2Error, filtersFrom, matchesFilters, ok, tagFilterField, tagSpecs } from './ec2.js';
import { AWS_MANAGED_EBS_KEY, nextId, type AwsEstateState, type SimSnapshot, type SimSnapshotLock } from './state.js';
import { ec2TagSet, type QueryParams, type Xml } from './wire.js';

/**
 * EBS snapshots as EC2 serves them (same endpoint, same query protocol): CreateSnapshots,
 * DescribeSnapshots, and what makes a snapshot evidence that survives an attacker who holds the
 * account — the snapshot lock (LockSnapshot / UnlockSnapshot / DescribeLockedSnapshots, a locked
 * snapshot refuses DeleteSnapshot), CopySnapshot re-encrypted under another key, and sharing
 * (ModifySnapshotAttribute), which AWS refuses for snapshots under the AWS managed `aws/ebs` key.
 */
const ACTIONS = new Set([
  'CreateSnapshots',
  'DescribeSnapshots',
  'DeleteSnapshot',
  'LockSnapshot',
  'UnlockSnapshot',
  'DescribeLockedSnapshots',
  'CopySnapshot',
  'ModifySnapshotAttribute',
  'DescribeSnapshotAttribute',
]);

export function isSnapshotAction(action: string): boolean {
  return ACTIONS.has(action);
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** LockState as EC2 reports it: a compliance lock in its cooling-off period can still be undone. */
export function lockState(lock: SimSnapshotLock, now: Date = new Date()): 'compliance-cooloff' | 'governance' | 'compliance' | 'expired' {
  if (Date.parse(lock.expiresOn) <= now.getTime()) return 'expired';
  if (lock.mode === 'compliance' && lock.coolOffExpiresOn && Date.parse(lock.coolOffExpiresOn) > now.getTime()) return 'compliance-cooloff';
  return lock.mode;
}

/** True while the lock forbids deletion (any lock that has not expired). */
export function isLocked(snapshot: Pick<SimSnapshot, 'lock'>, now: Date = new Date()): boolean {
  return snapshot.lock !== undefined && lockState(snapshot.lock, now) !== 'expired';
}

export class EbsSnapshots {
  constructor(private readonly state: AwsEstateState) {}

  handle(action: string, params: QueryParams): SimResponse {
    switch (action) {
      case 'CreateSnapshots':
        return this.createSnapshots(params);
      case 'DescribeSnapshots':
        return this.describeSnapshots(params);
      case 'DeleteSnapshot':
        return this.deleteSnapshot(params);
      case 'LockSnapshot':
        return this.lockSnapshot(params);
      case 'UnlockSnapshot':
        return this.unlockSnapshot(params);
      case 'DescribeLockedSnapshots':
        return this.describeLockedSnapshots(params);
      case 'CopySnapshot':
        return this.copySnapshot(params);
      case 'ModifySnapshotAttribute':
        return this.modifySnapshotAttribute(params);
      case 'DescribeSnapshotAttribute':
        return this.describeSnapshotAttribute(params);
      default:
        throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  private snapshot(id: string | undefined): SimSnapshot {
    const s = id ? this.state.snapshots[id] : undefined;
    if (!s) throw new Ec2Error('InvalidSnapshot.NotFound', `The snapshot '${id ?? ''}' does not exist.`);
    return s;
  }

  private snapshotXml(s: SimSnapshot, stateTag: 'state' | 'status'): Xml {
    return {
      snapshotId: s.id,
      volumeId: s.volumeId,
      [stateTag]: s.state,
      startTime: s.startTime,
      progress: s.state === 'completed' ? '100%' : '0%',
      ownerId: this.state.account,
      volumeSize: s.volumeSizeGiB,
      description: s.description,
      encrypted: s.kmsKeyId !== undefined,
      kmsKeyId: s.kmsKeyId,
      tagSet: ec2TagSet(s.tags),
    };
  }

  private createSnapshots(params: QueryParams): SimResponse {
    const id = params.get('InstanceSpecification.InstanceId');
    const instance = id ? this.state.instances[id] : undefined;
    if (!instance) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id ?? ''}' does not exist`);
    const excludeBoot = params.get('InstanceSpecification.ExcludeBootVolume') === 'true';
    const excluded = new Set(params.list('InstanceSpecification.ExcludeDataVolumeId'));
    const copyVolumeTags = params.get('CopyTagsFromSource') === 'volume';
    const tags = tagSpecs(params, 'snapshot');
    const startTime = new Date().toISOString();
    const taken = instance.volumes
      .filter((v, index) => !(excludeBoot && index === 0) && !excluded.has(v.volumeId))
      .map((v): SimSnapshot => {
        const volume = this.state.volumes[v.volumeId];
        // The estate completes snapshots at once; the answer still says pending, as EC2 does.
        const snapshot: SimSnapshot = {
          id: nextId(this.state, 'snap'),
          volumeId: v.volumeId,
          volumeSizeGiB: volume?.sizeGiB ?? 8,
          description: params.get('Description') ?? '',
          startTime,
          state: 'completed',
          ...(volume?.kmsKeyId ? { kmsKeyId: volume.kmsKeyId } : {}),
          tags: { ...(copyVolumeTags ? volume?.tags : {}), ...tags },
        };
        this.state.snapshots[snapshot.id] = snapshot;
        return snapshot;
      });
    return ok('CreateSnapshots', { snapshotSet: { item: taken.map((s) => this.snapshotXml({ ...s, state: 'pending' }, 'state')) } });
  }

  private describeSnapshots(params: QueryParams): SimResponse {
    const ids = params.list('SnapshotId');
    for (const id of ids) this.snapshot(id);
    const owners = params.list('Owner');
    if (owners.some((o) => o !== 'self' && o !== this.state.account)) return ok('DescribeSnapshots', { snapshotSet: {} });
    const filters = filtersFrom(params);
    const chosen = (ids.length ? ids.map((id) => this.snapshot(id)) : Object.values(this.state.snapshots)).filter((s) =>
      matchesFilters(filters, (name) => (name === 'volume-id' ? s.volumeId : name === 'snapshot-id' ? s.id : name === 'status' ? s.state : tagFilterField(s.tags, name))),
    );
    return ok('DescribeSnapshots', { snapshotSet: { item: chosen.map((s) => this.snapshotXml(s, 'status')) } });
  }

  /** What an attacker holding the account would do to the evidence; a lock that has not expired refuses it. */
  private deleteSnapshot(params: QueryParams): SimResponse {
    const s = this.snapshot(params.get('SnapshotId'));
    if (isLocked(s)) {
      // AWS documents that a locked snapshot can't be deleted; the error code is the estate's.
      throw new Ec2Error('SnapshotLocked', `The snapshot '${s.id}' is locked in ${s.lock?.mode} mode until ${s.lock?.expiresOn} and can't be deleted.`);
    }
    delete this.state.snapshots[s.id];
    return ok('DeleteSnapshot', { return: true });
  }

  private lockXml(s: SimSnapshot, lock: SimSnapshotLock): { [tag: string]: Xml } {
    return {
      snapshotId: s.id,
      lockState: lockState(lock),
      lockDuration: lock.durationDays,
      coolOffPeriod: lock.coolOffHours,
      coolOffPeriodExpiresOn: lock.coolOffExpiresOn,
      lockCreatedOn: lock.createdOn,
      lockExpiresOn: lock.expiresOn,
      lockDurationStartTime: lock.durationStartTime,
    };
  }

  /**
   * LockSnapshot (API reference): mode governance or compliance; a duration in days (1–36,500) or an
   * expiration date; a cooling-off period (1–72 h) only in compliance mode. A compliance lock past its
   * cooling-off period can only be extended, never shortened, changed to governance or removed.
   */
  private lockSnapshot(params: QueryParams): SimResponse {
    const s = this.snapshot(params.get('SnapshotId'));
    const mode = params.get('LockMode');
    if (mode !== 'governance' && mode !== 'compliance') throw new Ec2Error('InvalidParameterValue', `Value (${mode ?? ''}) for parameter LockMode is invalid. Valid values: governance, compliance.`);
    const durationText = params.get('LockDuration');
    const expirationText = params.get('ExpirationDate');
    if ((durationText === undefined) === (expirationText === undefined)) {
      throw new Ec2Error('InvalidParameterCombination', 'Specify exactly one of LockDuration and ExpirationDate.');
    }
    const coolOffText = params.get('CoolOffPeriod');
    if (coolOffText !== undefined && mode !== 'compliance') throw new Ec2Error('InvalidParameterCombination', 'CoolOffPeriod is supported only in compliance mode.');
    const coolOff = coolOffText === undefined ? undefined : Number(coolOffText);
    if (coolOff !== undefined && !(Number.isInteger(coolOff) && coolOff >= 1 && coolOff <= 72)) throw new Ec2Error('InvalidParameterValue', `CoolOffPeriod must be 1 to 72 hours, got ${coolOffText}.`);
    const now = new Date();
    const durationDays = durationText === undefined ? undefined : Number(durationText);
    if (durationDays !== undefined && !(Number.isInteger(durationDays) && durationDays >= 1 && durationDays <= 36_500)) {
      throw new Ec2Error('InvalidParameterValue', `LockDuration must be 1 to 36500 days, got ${durationText}.`);
    }
    const expiresOn = durationDays !== undefined ? new Date(now.getTime() + durationDays * DAY_MS) : new Date(expirationText as string);
    if (Number.isNaN(expiresOn.getTime()) || expiresOn <= now) throw new Ec2Error('InvalidParameterValue', `ExpirationDate must be in the future, got ${expirationText ?? ''}.`);

    const current = s.lock && lockState(s.lock, now);
    if (s.lock && current === 'compliance') {
      if (mode !== 'compliance') throw new Ec2Error('IncorrectState', `The snapshot '${s.id}' is locked in compliance mode and its cooling-off period has ended: the lock mode can't be changed.`);
      if (expiresOn < new Date(s.lock.expiresOn)) throw new Ec2Error('IncorrectState', `The snapshot '${s.id}' is locked in compliance mode and its cooling-off period has ended: the lock can only be extended.`);
    }
    // A lock past its cooling-off period keeps that (expired) cooling-off; a new compliance lock starts its own.
    const keepsCoolOff = s.lock && current === 'compliance';
    const lock: SimSnapshotLock = {
      mode,
      createdOn: s.lock && current !== 'expired' ? s.lock.createdOn : now.toISOString(),
      durationStartTime: now.toISOString(),
      expiresOn: expiresOn.toISOString(),
      ...(durationDays !== undefined ? { durationDays } : {}),
      ...(keepsCoolOff && s.lock?.coolOffHours !== undefined ? { coolOffHours: s.lock.coolOffHours, coolOffExpiresOn: s.lock.coolOffExpiresOn as string } : {}),
      ...(!keepsCoolOff && coolOff !== undefined ? { coolOffHours: coolOff, coolOffExpiresOn: new Date(now.getTime() + coolOff * HOUR_MS).toISOString() } : {}),
    };
    s.lock = lock;
    return ok('LockSnapshot', this.lockXml(s, lock));
  }

  private unlockSnapshot(params: QueryParams): SimResponse {
    const s = this.snapshot(params.get('SnapshotId'));
    if (!s.lock || lockState(s.lock) === 'expired') throw new Ec2Error('IncorrectState', `The snapshot '${s.id}' is not locked.`);
    if (lockState(s.lock) === 'compliance') throw new Ec2Error('IncorrectState', `The snapshot '${s.id}' is locked in compliance mode and its cooling-off period has ended: it can't be unlocked.`);
    delete s.lock;
    return ok('UnlockSnapshot', { snapshotId: s.id });
  }

  private describeLockedSnapshots(params: QueryParams): SimResponse {
    const ids = params.list('SnapshotId');
    for (const id of ids) this.snapshot(id);
    const filters = filtersFrom(params);
    const chosen = (ids.length ? ids.map((id) => this.snapshot(id)) : Object.values(this.state.snapshots)).filter(
      (s): s is SimSnapshot & { lock: SimSnapshotLock } => s.lock !== undefined && matchesFilters(filters, (name) => (name === 'lock-state' && s.lock ? lockState(s.lock) : undefined)),
    );
    return ok('DescribeLockedSnapshots', { snapshotSet: { item: chosen.map((s) => ({ ownerId: this.state.account, ...this.lockXml(s, s.lock) })) } });
  }

  /**
   * CopySnapshot within the estate's region: the copy is encrypted when the source is or when
   * `Encrypted` is set, under `KmsKeyId` when given (a customer managed key, possibly another
   * account's key by ARN), else under the source's key or the AWS managed default.
   */
  private copySnapshot(params: QueryParams): SimResponse {
    const source = this.snapshot(params.get('SourceSnapshotId'));
    const sourceRegion = params.get('SourceRegion');
    if (!sourceRegion) throw new Ec2Error('MissingParameter', 'The request must contain the parameter SourceRegion');
    if (sourceRegion !== this.state.region) throw new Ec2Error('InvalidSnapshot.NotFound', `The snapshot '${source.id}' does not exist in region ${sourceRegion}.`);
    if (source.state !== 'completed') throw new Ec2Error('IncorrectState', `Snapshot '${source.id}' is not in the completed state.`);
    const encrypted = params.get('Encrypted') === 'true';
    const keyId = params.get('KmsKeyId');
    if (keyId !== undefined && !encrypted) throw new Ec2Error('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
    const kmsKeyId = keyId ?? source.kmsKeyId ?? (encrypted ? AWS_MANAGED_EBS_KEY : undefined);
    const tags = tagSpecs(params, 'snapshot');
    const copy: SimSnapshot = {
      id: nextId(this.state, 'snap'),
      volumeId: source.volumeId,
      volumeSizeGiB: source.volumeSizeGiB,
      description: params.get('Description') ?? `Copied for DestinationSnapshot from SourceSnapshot ${source.id}`,
      startTime: new Date().toISOString(),
      state: 'completed',
      ...(kmsKeyId ? { kmsKeyId } : {}),
      copiedFrom: source.id,
      tags,
    };
    this.state.snapshots[copy.id] = copy;
    return ok('CopySnapshot', { snapshotId: copy.id, tagSet: ec2TagSet(tags) });
  }

  /** createVolumePermission only; AWS refuses to share a snapshot under the AWS managed `aws/ebs` key. */
  private modifySnapshotAttribute(params: QueryParams): SimResponse {
    const s = this.snapshot(params.get('SnapshotId'));
    const attribute = params.get('Attribute') ?? 'createVolumePermission';
    if (attribute !== 'createVolumePermission') throw new Ec2Error('InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid. Only createVolumePermission can be modified.`);
    const add = [...params.list('UserId'), ...params.structs('CreateVolumePermission.Add').map((p) => p.get('UserId'))].filter((u): u is string => u !== undefined);
    const remove = params.structs('CreateVolumePermission.Remove').map((p) => p.get('UserId')).filter((u): u is string => u !== undefined);
    const removing = params.get('OperationType') === 'remove' || remove.length > 0;
    const accounts = [...new Set(removing ? [...remove, ...params.list('UserId')] : add)];
    if (accounts.length === 0) throw new Ec2Error('MissingParameter', 'No account to add or remove.');
    for (const a of accounts) if (!/^\d{12}$/.test(a)) throw new Ec2Error('InvalidUserID.Malformed', `Invalid user id: '${a}'`);
    if (!removing) {
      if (s.kmsKeyId === AWS_MANAGED_EBS_KEY) {
        throw new Ec2Error('InvalidParameter', `Snapshots encrypted with the AWS Managed CMK can't be shared. Copy '${s.id}' under a customer managed key and share the copy.`);
      }
      s.sharedWith = [...new Set([...(s.sharedWith ?? []), ...accounts])];
    } else {
      s.sharedWith = (s.sharedWith ?? []).filter((a) => !accounts.includes(a));
    }
    return ok('ModifySnapshotAttribute', { return: true });
  }

  private describeSnapshotAttribute(params: QueryParams): SimResponse {
    const s = this.snapshot(params.get('SnapshotId'));
    const attribute = params.get('Attribute');
    if (attribute !== 'createVolumePermission') throw new Ec2Error('InvalidParameterValue', `Value (${attribute ?? ''}) for parameter attribute is invalid.`);
    return ok('DescribeSnapshotAttribute', { snapshotId: s.id, createVolumePermission: { item: (s.sharedWith ?? []).map((userId) => ({ userId })) } });
  }
}
