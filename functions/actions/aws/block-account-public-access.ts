import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, type PublicAccessBlockConfiguration, type S3ControlClient } from '@aws-sdk/client-s3-control';
import * as z from 'zod';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded, isAwsError } from './common.js';

/**
 * Account-level S3 Block Public Access (S3 Control), all four settings on: it overrides every
 * bucket's own settings, so no bucket of the account is public whatever its policy or ACLs say
 * (Security Hub S3.1). The previous configuration is recorded for release.
 */
const KEYS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
const ALL_ON: Required<Pick<PublicAccessBlockConfiguration, (typeof KEYS)[number]>> = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

/** `AWS::::Account:123456789012`, an ARN or a bare id → the 12 digits; else the finding's account. */
function accountOf(input: Pick<ActionInput, 'target' | 'account'>): string {
  return /(\d{12})(?!.*\d{12})/.exec(input.target.id)?.[1] ?? input.account;
}

function plannedCalls(input: ActionInput): PlannedCall[] {
  const AccountId = accountOf(input);
  return [
    { operation: 's3:GetAccountPublicAccessBlock', request: { AccountId } },
    { operation: 's3:PutAccountPublicAccessBlock', request: { AccountId, PublicAccessBlockConfiguration: ALL_ON } },
  ];
}

async function readBlock(s3control: S3ControlClient, account: string): Promise<PublicAccessBlockConfiguration | null> {
  try {
    return (await s3control.send(new GetPublicAccessBlockCommand({ AccountId: account }))).PublicAccessBlockConfiguration ?? null;
  } catch (e) {
    // Never configured: every setting is effectively off.
    if (!isAwsError(e, 'NoSuchPublicAccessBlockConfiguration')) throw e;
    return null;
  }
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  const account = accountOf(input);
  return guarded(async () => {
    const previous = await readBlock(ctx.clients.s3Control, account);
    const before = { account, publicAccessBlock: previous };
    if (previous && KEYS.every((k) => previous[k] === true)) return alreadyDone(`all four account-level Block Public Access settings of ${account} are already on`, before);
    await ctx.clients.s3Control.send(new PutPublicAccessBlockCommand({ AccountId: account, PublicAccessBlockConfiguration: ALL_ON }));
    const now = ctx.now();
    return {
      status: 'succeeded',
      before,
      after: { account, publicAccessBlock: ALL_ON },
      evidence: [{ kind: 'original-config', id: `arn:aws:s3:::account/${account}#publicAccessBlock`, of: account, takenAt: now.toISOString(), tags: { 'cordon:incident': input.incidentId }, details: { publicAccessBlock: previous } }],
      summary: `account-level Block Public Access on for ${account}: no bucket of the account can be public (was ${previous ? JSON.stringify(previous) : 'not configured'})`,
    };
  });
}

const RecordedBefore = z.object({ account: z.string(), publicAccessBlock: z.record(z.string(), z.boolean()).nullable() });

async function release(input: ReleaseInput, ctx: AwsContext): Promise<ActionResult> {
  const recorded = RecordedBefore.safeParse(input.before);
  if (!recorded.success) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not a block-account-public-access record` };
  const { account, publicAccessBlock: want } = recorded.data;
  return guarded(async () => {
    const current = await readBlock(ctx.clients.s3Control, account);
    const before = { account, publicAccessBlock: current };
    const same = want === null ? current === null : current !== null && KEYS.every((k) => (current[k] ?? false) === (want[k] ?? false));
    if (same) return alreadyDone(`${account} already has its recorded account-level Block Public Access`, before);
    if (want === null) await ctx.clients.s3Control.send(new DeletePublicAccessBlockCommand({ AccountId: account }));
    else await ctx.clients.s3Control.send(new PutPublicAccessBlockCommand({ AccountId: account, PublicAccessBlockConfiguration: Object.fromEntries(KEYS.map((k) => [k, want[k] ?? false])) }));
    return { status: 'succeeded', before, after: { account, publicAccessBlock: want }, evidence: [], summary: `${account}: account-level Block Public Access back to ${want ? JSON.stringify(want) : 'not configured'} as recorded` };
  });
}

export const blockAccountPublicAccess: ActionModule<AwsContext> = { spec: actionSpec('block-account-public-access'), plannedCalls, run, release };
