import { GetAccessKeyLastUsedCommand, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { accessKeyIdOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded } from './common.js';

/**
 * Sets a leaked access key Inactive (reversible, unlike deletion, and keeps the key id as
 * evidence). The owner is resolved from the key itself (GetAccessKeyLastUsed returns UserName),
 * so a finding that names only the key id is enough.
 */
function plannedCalls(input: ActionInput): PlannedCall[] {
  const AccessKeyId = accessKeyIdOf(input.target.id);
  return [
    { operation: 'iam:GetAccessKeyLastUsed', request: { AccessKeyId } },
    { operation: 'iam:ListAccessKeys', request: { UserName: '<key-owner>' } },
    { operation: 'iam:UpdateAccessKey', request: { UserName: '<key-owner>', AccessKeyId, Status: 'Inactive' } },
  ];
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  const iam = ctx.clients.iam;
  const accessKeyId = accessKeyIdOf(input.target.id);
  return guarded(async () => {
    const lastUsed = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
    const userName = lastUsed.UserName;
    if (!userName) return { status: 'failed', errorClass: 'NotFound', message: `NoSuchEntity: no IAM user owns access key ${accessKeyId}` };
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
    const key = keys.find((k) => k.AccessKeyId === accessKeyId);
    if (!key) return { status: 'failed', errorClass: 'NotFound', message: `NoSuchEntity: access key ${accessKeyId} is not listed for ${userName}` };
    const before = {
      accessKeyId,
      userName,
      status: key.Status,
      lastUsed: lastUsed.AccessKeyLastUsed?.LastUsedDate?.toISOString() ?? null,
      lastUsedService: lastUsed.AccessKeyLastUsed?.ServiceName ?? null,
    };
    if (key.Status === 'Inactive') return alreadyDone(`access key ${accessKeyId} of ${userName} is already Inactive`, before);
    await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
    const now = ctx.now();
    return {
      status: 'succeeded',
      before,
      after: { accessKeyId, userName, status: 'Inactive' },
      evidence: [{ kind: 'original-config', id: accessKeyId, of: `arn:aws:iam::${input.account}:user/${userName}`, takenAt: now.toISOString(), tags: { 'cordon:incident': input.incidentId }, details: before }],
      summary: `access key ${accessKeyId} of ${userName} set Inactive`,
    };
  });
}

export const deactivateAccessKey: ActionModule<AwsContext> = { spec: actionSpec('deactivate-access-key'), plannedCalls, run };
