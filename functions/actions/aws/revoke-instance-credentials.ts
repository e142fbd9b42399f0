import { AssociateIamInstanceProfileCommand, CreateTagsCommand, DescribeIamInstanceProfileAssociationsCommand, DisassociateIamInstanceProfileCommand } from '@aws-sdk/client-ec2';
import { DeleteRolePolicyCommand, GetInstanceProfileCommand, GetRolePolicyCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import * as z from 'zod';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { instanceIdOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded, incidentTags, isAwsError, notApplicable, toTagList } from './common.js';
import { withInstance } from './instance.js';

/**
 * Ends the role credentials of one instance, and only that instance's (DESIGN §3). A host with an
 * instance profile fetches fresh credentials from its metadata service whenever it likes, so a
 * time cutoff cannot hold; instead the role denies every credential whose `ec2:SourceInstanceARN`
 * is this instance — stolen copies included, wherever they are used — and the profile is
 * disassociated, so the host mints no more. Every other instance sharing the role keeps working
 * (revoking the role's sessions would cut the whole fleet).
 */
export const instancePolicyName = (instanceId: string) => `CordonDenyInstance-${instanceId}`;
/**
 * Names the role that holds the deny once the profile is gone, so a re-run can find it and say
 * already-done. Only a pointer: the deny itself is read back from IAM, never trusted from the tag.
 */
export const DENIED_ON_TAG = 'cordon:credentials-denied-on';

export function instanceDenyDocument(instanceArn: string, incidentId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: `CordonDenyInstance${incidentId.replace(/[^A-Za-z0-9]/g, '')}`, Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { ArnEquals: { 'ec2:SourceInstanceARN': instanceArn } } }],
  });
}

/** The instance's ARN as IAM sees it in `ec2:SourceInstanceARN` (the target's own ARN when it is one). */
function instanceArnOf(input: Pick<ActionInput, 'target' | 'region' | 'account'>): string {
  if (input.target.id.startsWith('arn:')) return input.target.id;
  return `arn:aws:ec2:${input.region}:${input.account}:instance/${instanceIdOf(input.target.id)}`;
}

function plannedCalls(input: ActionInput): PlannedCall[] {
  const InstanceId = instanceIdOf(input.target.id);
  const PolicyName = instancePolicyName(InstanceId);
  return [
    { operation: 'ec2:DescribeInstances', request: { InstanceIds: [InstanceId] } },
    { operation: 'ec2:DescribeIamInstanceProfileAssociations', request: { Filters: [{ Name: 'instance-id', Values: [InstanceId] }] } },
    { operation: 'iam:GetInstanceProfile', request: { InstanceProfileName: '<profile>' } },
    { operation: 'iam:GetRolePolicy', request: { RoleName: '<profile-role>', PolicyName } },
    { operation: 'iam:PutRolePolicy', request: { RoleName: '<profile-role>', PolicyName, PolicyDocument: instanceDenyDocument(instanceArnOf(input), input.incidentId) } },
    { operation: 'ec2:CreateTags', request: { Resources: [InstanceId], Tags: toTagList({ [DENIED_ON_TAG]: '<profile-role>' }) } },
    { operation: 'ec2:DisassociateIamInstanceProfile', request: { AssociationId: '<association>' } },
  ];
}

async function rolePolicy(iam: IAMClient, roleName: string, policyName: string): Promise<string | null> {
  try {
    const found = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    return found.PolicyDocument ? decodeURIComponent(found.PolicyDocument) : null;
  } catch (e) {
    if (!isAwsError(e, 'NoSuchEntity')) throw e;
    return null;
  }
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  return withInstance(input, ctx, async (instance, ec2, instanceId) => {
    const instanceArn = instanceArnOf(input);
    const policyName = instancePolicyName(instanceId);
    const association = (await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }, { Name: 'state', Values: ['associated'] }] }))).IamInstanceProfileAssociations?.[0];
    // The role comes from the profile; when a re-run finds the profile gone, from the role the finding names.
    const profileArn = association?.IamInstanceProfile?.Arn ?? instance.IamInstanceProfile?.Arn;
    const profileName = profileArn?.split('/').pop();
    const roleName =
      (profileName ? (await ctx.clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName }))).InstanceProfile?.Roles?.[0]?.RoleName : undefined) ??
      instance.Tags?.find((t) => t.Key === DENIED_ON_TAG)?.Value;
    if (!roleName) return notApplicable(`${instanceId} has no instance profile: it cannot mint role credentials`, { instanceId, association: null });
    const existing = await rolePolicy(ctx.clients.iam, roleName, policyName);
    const denies = existing?.includes(instanceArn) ?? false;
    const before = { instanceId, instanceArn, roleName, policyName, policy: existing, association: association ? { id: association.AssociationId ?? '', profileArn: association.IamInstanceProfile?.Arn ?? '' } : null };
    if (denies && !association) return alreadyDone(`role ${roleName} already denies every credential of ${instanceId}, and no instance profile is associated`, before);
    const document = instanceDenyDocument(instanceArn, input.incidentId);
    // The deny first: stolen credentials stop working at once, wherever they are used.
    if (!denies) await ctx.clients.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: document }));
    await ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: toTagList({ ...incidentTags(input), [DENIED_ON_TAG]: roleName }) }));
    if (association?.AssociationId) await ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: association.AssociationId }));
    const now = ctx.now();
    return {
      status: 'succeeded',
      before,
      after: { instanceId, instanceArn, roleName, policyName, policy: denies ? existing : document, association: null },
      evidence: [
        {
          kind: 'session-revocation',
          id: `${instanceArn}#${policyName}`,
          of: instanceArn,
          takenAt: now.toISOString(),
          tags: { 'cordon:incident': input.incidentId },
          details: { roleName, policyName, instanceProfile: before.association?.profileArn ?? null },
        },
      ],
      summary: `every credential of ${instanceId} denied on role ${roleName} (ec2:SourceInstanceARN, ${policyName})${before.association ? `; instance profile ${before.association.profileArn} disassociated` : ''}; other instances of the role unaffected`,
    };
  });
}

const RecordedBefore = z.object({
  instanceId: z.string(),
  roleName: z.string(),
  policyName: z.string(),
  policy: z.string().nullable(),
  association: z.object({ id: z.string(), profileArn: z.string() }).nullable(),
});

/** The instance deny removed (or put back as it was) and the profile associated again. */
async function release(input: ReleaseInput, ctx: AwsContext): Promise<ActionResult> {
  const recorded = RecordedBefore.safeParse(input.before);
  if (!recorded.success) return notApplicable(`the audit log's before-state of ${input.stepId} names no role: nothing to undo`);
  const want = recorded.data;
  return guarded(async () => {
    const ec2 = ctx.clients.ec2;
    const current = await rolePolicy(ctx.clients.iam, want.roleName, want.policyName);
    const associated = (await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [want.instanceId] }, { Name: 'state', Values: ['associated'] }] }))).IamInstanceProfileAssociations?.[0];
    const before = { instanceId: want.instanceId, roleName: want.roleName, policy: current, association: associated ? { id: associated.AssociationId ?? '', profileArn: associated.IamInstanceProfile?.Arn ?? '' } : null };
    const reassociate = want.association !== null && !associated;
    if (current === want.policy && !reassociate) return alreadyDone(`${want.instanceId} and role ${want.roleName} are already as recorded`, before);
    if (current !== want.policy) {
      if (want.policy === null) await ctx.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: want.roleName, PolicyName: want.policyName }));
      else await ctx.clients.iam.send(new PutRolePolicyCommand({ RoleName: want.roleName, PolicyName: want.policyName, PolicyDocument: want.policy }));
    }
    if (reassociate && want.association) await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: want.instanceId, IamInstanceProfile: { Arn: want.association.profileArn } }));
    return { status: 'succeeded', before, after: want, evidence: [], summary: `${want.instanceId}: deny on role ${want.roleName} ${want.policy === null ? 'removed' : 'restored'}${reassociate ? `; instance profile ${want.association?.profileArn ?? ''} associated again` : ''}, as recorded` };
  });
}

export const revokeInstanceCredentials: ActionModule<AwsContext> = { spec: actionSpec('revoke-instance-credentials'), plannedCalls, run, release };
