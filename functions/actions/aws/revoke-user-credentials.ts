import {
  DeleteLoginProfileCommand,
  DeleteUserPolicyCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import * as z from 'zod';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { userNameOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded, isAwsError } from './common.js';
import { nextCutoff, REVOKE_POLICY_NAME, revocationOf, revokePolicyDocument } from './token-cutoff.js';

/**
 * Everything an IAM user can sign in or call with, ended at once (DESIGN §3): an inline deny-all
 * on `aws:TokenIssueTime` earlier than now ends temporary credentials (GetSessionToken keys
 * outlive the access key that made them), every active access key goes Inactive, and the console
 * login profile is removed. The user is kept (evidence; a person decides its fate).
 *
 * The root user is no IAM user: its credentials can be ended only by the account owner (or the
 * organization's centralized root access), so a root target is refused with that guidance, as a
 * failure, and the incident escalates.
 */
function plannedCalls(input: ActionInput): PlannedCall[] {
  const UserName = userNameOf(input.target.id);
  return [
    { operation: 'iam:GetUser', request: { UserName } },
    { operation: 'iam:GetUserPolicy', request: { UserName, PolicyName: REVOKE_POLICY_NAME } },
    { operation: 'iam:ListAccessKeys', request: { UserName } },
    { operation: 'iam:GetLoginProfile', request: { UserName } },
    { operation: 'iam:PutUserPolicy', request: { UserName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokePolicyDocument(new Date(0), input.incidentId).replace('1970-01-01T00:00:00.000Z', '<now>') } },
    { operation: 'iam:UpdateAccessKey', request: { UserName, AccessKeyId: '<each-active-key>', Status: 'Inactive' } },
    { operation: 'iam:DeleteLoginProfile', request: { UserName, note: 'only when the user has a console password' } },
  ];
}

const ROOT_GUIDANCE =
  'root credentials are not an IAM user: Cordon cannot end them. The account owner must sign in as root, delete the root access keys, change the root password and check MFA — or, in an AWS Organization with centralized root access, the management account removes the root credentials (sts:AssumeRoot, then DeleteAccessKey/DeleteLoginProfile). Review CloudTrail for what the root user did.';

/** True when the target names the root user of an account (an AwsAccount resource, or a `:root` ARN). */
function isRoot(input: Pick<ActionInput, 'target'>): boolean {
  return input.target.type === 'AwsAccount' || /:root$/.test(input.target.id);
}

async function readPolicy(iam: IAMClient, userName: string): Promise<string | undefined> {
  try {
    const current = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: REVOKE_POLICY_NAME }));
    return current.PolicyDocument ? decodeURIComponent(current.PolicyDocument) : undefined;
  } catch (e) {
    if (!isAwsError(e, 'NoSuchEntity')) throw e;
    return undefined;
  }
}

async function readLoginProfile(iam: IAMClient, userName: string): Promise<{ createDate: string | null; passwordResetRequired: boolean } | null> {
  try {
    const p = (await iam.send(new GetLoginProfileCommand({ UserName: userName }))).LoginProfile;
    return { createDate: p?.CreateDate?.toISOString() ?? null, passwordResetRequired: p?.PasswordResetRequired ?? false };
  } catch (e) {
    if (!isAwsError(e, 'NoSuchEntity')) throw e;
    return null;
  }
}

async function readState(iam: IAMClient, userName: string) {
  const user = (await iam.send(new GetUserCommand({ UserName: userName }))).User;
  const policy = await readPolicy(iam, userName);
  const keys = ((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? '', status: k.Status ?? 'Active' }));
  const loginProfile = await readLoginProfile(iam, userName);
  return { userName, userArn: user?.Arn ?? null, policy: policy ?? null, accessKeys: keys, loginProfile };
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  if (isRoot(input)) return { status: 'failed', errorClass: 'InvalidTarget', message: `refused: ${ROOT_GUIDANCE}` };
  const iam = ctx.clients.iam;
  const userName = userNameOf(input.target.id);
  return guarded(async () => {
    const before = await readState(iam, userName);
    const existing = before.policy ? revocationOf(before.policy) : undefined;
    const now = ctx.now();
    const cutoff = nextCutoff(existing, input.incidentId, now);
    const active = before.accessKeys.filter((k) => k.status === 'Active');
    if (!cutoff && active.length === 0 && !before.loginProfile) {
      return alreadyDone(`${userName}: sessions before ${existing?.cutoff.toISOString() ?? '?'} denied by this incident, no active access key, no console password`, before);
    }
    // The deny first: it ends temporary credentials and every key's calls at once; the rest makes it permanent.
    const document = cutoff ? revokePolicyDocument(cutoff, input.incidentId) : before.policy;
    if (cutoff && document) await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: document }));
    for (const k of active) await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: k.id, Status: 'Inactive' }));
    if (before.loginProfile) {
      try {
        await iam.send(new DeleteLoginProfileCommand({ UserName: userName }));
      } catch (e) {
        // Gone between the read and the delete: the password is off either way.
        if (!isAwsError(e, 'NoSuchEntity')) throw e;
      }
    }
    const userArn = before.userArn ?? `arn:aws:iam::${input.account}:user/${userName}`;
    const after = { userName, userArn, policy: document, accessKeys: before.accessKeys.map((k) => ({ id: k.id, status: 'Inactive' })), loginProfile: null };
    const done = [
      cutoff ? `sessions issued before ${cutoff.toISOString()} denied (${REVOKE_POLICY_NAME}${existing ? `; moved from ${existing.cutoff.toISOString()}` : ''})` : undefined,
      active.length ? `access key${active.length > 1 ? 's' : ''} ${active.map((k) => k.id).join(', ')} set Inactive` : undefined,
      before.loginProfile ? 'console password (login profile) removed' : undefined,
    ].filter((x): x is string => x !== undefined);
    return {
      status: 'succeeded',
      before,
      after,
      evidence: [
        { kind: 'session-revocation', id: `${userArn}#${REVOKE_POLICY_NAME}`, of: userArn, takenAt: now.toISOString(), tags: { 'cordon:incident': input.incidentId }, details: { before, tokenIssuedBefore: cutoff?.toISOString() ?? existing?.cutoff.toISOString() ?? null } },
      ],
      summary: `${userName}: ${done.join('; ')}`,
    };
  });
}

const RecordedBefore = z.object({
  userName: z.string(),
  policy: z.string().nullable(),
  accessKeys: z.array(z.object({ id: z.string(), status: z.string() })),
  loginProfile: z.object({ createDate: z.string().nullable(), passwordResetRequired: z.boolean() }).nullable(),
});

/**
 * The revocation policy and the keys back as recorded. A removed console password cannot come
 * back (IAM needs a new password to create a login profile): the summary says so.
 */
async function release(input: ReleaseInput, ctx: AwsContext): Promise<ActionResult> {
  const recorded = RecordedBefore.safeParse(input.before);
  if (!recorded.success) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not a revoke-user-credentials record` };
  const want = recorded.data;
  const iam = ctx.clients.iam;
  return guarded(async () => {
    const current = await readState(iam, want.userName);
    const keys = want.accessKeys.filter((k) => current.accessKeys.some((c) => c.id === k.id && c.status !== k.status));
    const policyChanged = current.policy !== want.policy;
    const passwordNote = want.loginProfile && !current.loginProfile ? `; the console password was removed and cannot be restored: set a new one (CreateLoginProfile with PasswordResetRequired) if ${want.userName} should sign in again` : '';
    if (!policyChanged && keys.length === 0) return alreadyDone(`${want.userName} already has its recorded policy and key states${passwordNote}`, current);
    if (policyChanged && want.policy === null) await iam.send(new DeleteUserPolicyCommand({ UserName: want.userName, PolicyName: REVOKE_POLICY_NAME }));
    else if (policyChanged && want.policy !== null) await iam.send(new PutUserPolicyCommand({ UserName: want.userName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: want.policy }));
    for (const k of keys) await iam.send(new UpdateAccessKeyCommand({ UserName: want.userName, AccessKeyId: k.id, Status: k.status === 'Inactive' ? 'Inactive' : 'Active' }));
    return { status: 'succeeded', before: current, after: { ...want, loginProfile: current.loginProfile }, evidence: [], summary: `${want.userName}: revocation policy and access keys back as recorded${passwordNote}` };
  });
}

export const revokeUserCredentials: ActionModule<AwsContext> = { spec: actionSpec('revoke-user-credentials'), plannedCalls, run, release };
