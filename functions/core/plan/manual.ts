import { ACTION_CATALOG } from '../actions/catalog.js';
import { InputError } from '../errors.js';
import { type Finding, type Incident, type KnownResourceType, isResourceType } from '../model.js';
import type { Playbook } from '../playbooks/schema.js';
import { locationFromId } from './locate.js';
import { planIncident } from './plan.js';
import type { PlanSettings } from './plan.js';

/**
 * `cordon run PLAYBOOK --target ID`: what kind of resource an id names, and a plan for a
 * synthetic finding on it. The synthetic finding's id is `manual:<playbook>:<target>`, so running
 * the same playbook on the same target again is the same incident (and its steps already-done).
 */
export interface InferredTarget {
  type: KnownResourceType;
  /** Normalized: a bare bucket name becomes its ARN, as ingest names buckets. */
  id: string;
}

const EC2_INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const EC2_INSTANCE_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:instance\/i-[0-9a-f]+$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const IAM_USER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:user\/[\w+=,.@/-]+$/;
const ACCESS_KEY_ID = /^(?:AKIA|ASIA)[A-Z0-9]{16}$/;
const S3_BUCKET_ARN = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;
const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ARM_VM = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i;
const ARM_STORAGE = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UPN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Every reading of `raw` as a target, most specific first (a GUID is also a valid bucket name). */
export function inferTargets(raw: string): InferredTarget[] {
  const id = raw.trim();
  if (EC2_INSTANCE_ID.test(id) || EC2_INSTANCE_ARN.test(id)) return [{ type: 'AwsEc2Instance', id }];
  if (IAM_ROLE_ARN.test(id)) return [{ type: 'AwsIamRole', id }];
  if (IAM_USER_ARN.test(id)) return [{ type: 'AwsIamUser', id }];
  if (ACCESS_KEY_ID.test(id)) return [{ type: 'AwsIamAccessKey', id }];
  if (S3_BUCKET_ARN.test(id)) return [{ type: 'AwsS3Bucket', id }];
  if (ARM_VM.test(id)) return [{ type: 'Microsoft.Compute/virtualMachines', id }];
  if (ARM_STORAGE.test(id)) return [{ type: 'Microsoft.Storage/storageAccounts', id }];
  if (UPN.test(id)) return [{ type: 'Microsoft.Graph/users', id }];
  const readings: InferredTarget[] = [];
  if (GUID.test(id)) readings.push({ type: 'Microsoft.Graph/users', id });
  if (S3_BUCKET_NAME.test(id) && !id.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(id)) {
    readings.push({ type: 'AwsS3Bucket', id: `arn:aws:s3:::${id}` });
  }
  return readings;
}

/** The resource types the playbook's steps can act on. */
export function actionableTypes(playbook: Playbook): Set<string> {
  const types = new Set<string>();
  for (const step of playbook.steps) {
    const spec = ACTION_CATALOG[step.action];
    for (const t of step.targets ?? spec.targets) if (isResourceType(t)) types.add(t);
  }
  return types;
}

export function resolveManualTarget(playbook: Playbook, raw: string): InferredTarget {
  const readings = inferTargets(raw);
  const actionable = actionableTypes(playbook);
  const fit = readings.find((r) => actionable.has(r.type));
  if (fit) return fit;
  const wants = [...actionable].join(', ');
  if (readings.length === 0) {
    throw new InputError(
      '--target',
      '',
      `'${raw}' is not a target id Cordon recognises (an EC2 instance id or ARN, an IAM role ARN, an access key id, an S3 bucket ARN or name, an ARM VM or storage account id, an Entra user object id or UPN); ${playbook.id} acts on ${wants}`,
    );
  }
  throw new InputError('--target', '', `'${raw}' is ${readings.map((r) => r.type).join(' or ')}; ${playbook.id} acts on ${wants}`);
}

export function planManualRun(
  playbook: Playbook,
  targetId: string,
  settings: PlanSettings & { account?: string; region?: string },
): Incident {
  const target = resolveManualTarget(playbook, targetId);
  const fromId = locationFromId(target.id);
  const account = settings.account ?? fromId.account ?? '';
  const region = settings.region ?? fromId.region ?? '';
  const finding: Finding = {
    id: `manual:${playbook.id}:${target.id}`,
    source: playbook.cloud === 'aws' ? 'guardduty' : 'defender',
    cloud: playbook.cloud,
    type: 'manual',
    title: `Manual run of ${playbook.id} on ${target.id}`,
    severity: 'high',
    account,
    region,
    observedAt: settings.now.toISOString(),
    sample: false,
    resources: [{ type: target.type, id: target.id, tags: {}, ...(account && { account }), ...(region && { region }) }],
  };
  // A person running a compromise playbook says the resource was compromised; an exposure-only playbook, that it was exposed.
  const trigger = playbook.clocks.compromise ? 'compromise' : playbook.clocks.exposure ? 'exposure' : 'other';
  return planIncident(finding, playbook, { ...settings, trigger });
}
