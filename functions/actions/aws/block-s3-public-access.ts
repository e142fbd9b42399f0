import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, type PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import * as z from 'zod';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { bucketNameOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded, isAwsError } from './common.js';

/** Bucket-level Block Public Access, all four settings on; the previous configuration is recorded for rollback. */
const ALL_ON: Required<Pick<PublicAccessBlockConfiguration, 'BlockPublicAcls' | 'IgnorePublicAcls' | 'BlockPublicPolicy' | 'RestrictPublicBuckets'>> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

function plannedCalls(input: ActionInput): PlannedCall[] {
  const Bucket = bucketNameOf(input.target.id);
  return [
    { operation: 's3:GetPublicAccessBlock', request: { Bucket } },
    { operation: 's3:PutPublicAccessBlock', request: { Bucket, PublicAccessBlockConfiguration: ALL_ON } },
  ];
}

async function readBlock(s3: AwsContext['clients']['s3'], bucket: string): Promise<PublicAccessBlockConfiguration | null> {
  try {
    return (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration ?? null;
  } catch (e) {
    // No configuration at all: every setting is effectively off.
    if (!isAwsError(e, 'NoSuchPublicAccessBlockConfiguration')) throw e;
    return null;
  }
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  const s3 = ctx.clients.s3;
  const bucket = bucketNameOf(input.target.id);
  return guarded(async () => {
    const previous = await readBlock(s3, bucket);
    const before = { bucket, publicAccessBlock: previous };
    if (previous && (Object.keys(ALL_ON) as (keyof typeof ALL_ON)[]).every((k) => previous[k] === true)) {
      return alreadyDone(`all four Block Public Access settings of ${bucket} are already on`, before);
    }
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: ALL_ON }));
    const now = ctx.now();
    return {
      status: 'succeeded',
      before,
      after: { bucket, publicAccessBlock: ALL_ON },
      evidence: [
        { kind: 'original-config', id: `arn:aws:s3:::${bucket}#publicAccessBlock`, of: `arn:aws:s3:::${bucket}`, takenAt: now.toISOString(), tags: { 'cordon:incident': input.incidentId }, details: { publicAccessBlock: previous } },
      ],
      summary: `Block Public Access on for ${bucket} (was ${previous ? JSON.stringify(previous) : 'not configured'})`,
    };
  });
}

const KEYS = Object.keys(ALL_ON) as (keyof typeof ALL_ON)[];
const RecordedBefore = z.object({ bucket: z.string(), publicAccessBlock: z.record(z.string(), z.boolean()).nullable() });

/** Puts the recorded configuration back: the four settings as they were, or no configuration at all. */
async function release(input: ReleaseInput, ctx: AwsContext): Promise<ActionResult> {
  const recorded = RecordedBefore.safeParse(input.before);
  if (!recorded.success) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not a block-s3-public-access record` };
  const { bucket, publicAccessBlock: want } = recorded.data;
  const s3 = ctx.clients.s3;
  return guarded(async () => {
    const current = await readBlock(s3, bucket);
    const before = { bucket, publicAccessBlock: current };
    const same = want === null ? current === null : current !== null && KEYS.every((k) => (current[k] ?? false) === (want[k] ?? false));
    if (same) return alreadyDone(`${bucket} already has its recorded Block Public Access configuration`, before);
    if (want === null) await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    else await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: Object.fromEntries(KEYS.map((k) => [k, want[k] ?? false])) }));
    return { status: 'succeeded', before, after: { bucket, publicAccessBlock: want }, evidence: [], summary: `${bucket}: Block Public Access back to ${want ? JSON.stringify(want) : 'not configured'} as recorded` };
  });
}

export const blockS3PublicAccess: ActionModule<AwsContext> = { spec: actionSpec('block-s3-public-access'), plannedCalls, run, release };
