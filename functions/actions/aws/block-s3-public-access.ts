import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, type PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { bucketNameOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall } from '../../core/actions/types.js';
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

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  const s3 = ctx.clients.s3;
  const bucket = bucketNameOf(input.target.id);
  return guarded(async () => {
    let previous: PublicAccessBlockConfiguration | null = null;
    try {
      previous = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration ?? null;
    } catch (e) {
      // No configuration at all: every setting is effectively off.
      if (!isAwsError(e, 'NoSuchPublicAccessBlockConfiguration')) throw e;
    }
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

export const blockS3PublicAccess: ActionModule<AwsContext> = { spec: actionSpec('block-s3-public-access'), plannedCalls, run };
