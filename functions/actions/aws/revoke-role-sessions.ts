import { GetRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { roleNameOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded, isAwsError } from './common.js';
import { nextCutoff, REVOKE_POLICY_NAME, revocationOf, revokePolicyDocument } from './token-cutoff.js';

export { REVOKE_POLICY_NAME, revokePolicyDocument, revokeSid } from './token-cutoff.js';

/**
 * Revokes every session of a role issued before now the way the IAM console's "Revoke active
 * sessions" does (token-cutoff.ts). The role itself is never deleted (it is evidence, and deleting
 * it would break whatever legitimately uses it).
 *
 * Idempotency: already done only when the policy was written for this incident (its Sid names
 * it). A cutoff set by another incident is moved to now, even when it is later than the finding:
 * tokens issued between that cutoff and now are the attacker's too (the aws-samples responder's
 * bug). IAM refuses edits to service-linked and Identity Center roles; they are refused here with
 * what to do instead, as a failure, so the incident escalates.
 */
function plannedCalls(input: ActionInput): PlannedCall[] {
  const RoleName = roleNameOf(input.target.id);
  return [
    { operation: 'iam:GetRole', request: { RoleName } },
    { operation: 'iam:GetRolePolicy', request: { RoleName, PolicyName: REVOKE_POLICY_NAME } },
    { operation: 'iam:PutRolePolicy', request: { RoleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokePolicyDocument(new Date(0), input.incidentId).replace('1970-01-01T00:00:00.000Z', '<now>') } },
  ];
}

/** What to do instead when IAM will not let anyone but AWS edit the role. */
export function protectedRoleGuidance(role: { name: string; path: string }): string | undefined {
  if (role.path.startsWith('/aws-service-role/') || role.name.startsWith('AWSServiceRoleFor')) {
    return `${role.name} is a service-linked role: IAM lets only its AWS service change it, so its sessions cannot be revoked with a policy. Contain what the service acts on instead (the resources or integration the attacker used through it), or disable the service's access (delete the service-linked role once the service allows it), and open a case with AWS Support.`;
  }
  if (role.path.startsWith('/aws-reserved/sso.amazonaws.com/') || role.name.startsWith('AWSReservedSSO_')) {
    return `${role.name} is an IAM Identity Center role: IAM refuses edits to it. Revoke in Identity Center instead: delete the user's active sessions and disable the user (or remove the permission set's account assignment); sessions already issued stay valid until they expire (at most the permission set's session duration).`;
  }
  return undefined;
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  const iam = ctx.clients.iam;
  const roleName = roleNameOf(input.target.id);
  return guarded(async () => {
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    const refused = protectedRoleGuidance({ name: role?.RoleName ?? roleName, path: role?.Path ?? '/' });
    if (refused) return { status: 'failed', errorClass: 'InvalidTarget', message: `refused: ${refused}` };
    let existingDocument: string | undefined;
    try {
      const current = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME }));
      // IAM returns policy documents URL-encoded (RFC 3986).
      existingDocument = current.PolicyDocument ? decodeURIComponent(current.PolicyDocument) : undefined;
    } catch (e) {
      if (!isAwsError(e, 'NoSuchEntity')) throw e;
    }
    const existing = existingDocument ? revocationOf(existingDocument) : undefined;
    const before = { roleName, roleArn: role?.Arn, policy: existingDocument ?? null, revokedBefore: existing?.cutoff.toISOString() ?? null };
    const now = ctx.now();
    const cutoff = nextCutoff(existing, input.incidentId, now);
    if (!cutoff) return alreadyDone(`${roleName} already denies sessions issued before ${existing?.cutoff.toISOString() ?? '?'} (set by this incident)`, before);
    const document = revokePolicyDocument(cutoff, input.incidentId);
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: document }));
    const roleArn = role?.Arn ?? input.target.id;
    return {
      status: 'succeeded',
      before,
      after: { roleName, roleArn, policy: document, revokedBefore: cutoff.toISOString() },
      evidence: [
        {
          kind: 'session-revocation',
          id: `${roleArn}#${REVOKE_POLICY_NAME}`,
          of: roleArn,
          takenAt: now.toISOString(),
          tags: { 'cordon:incident': input.incidentId },
          details: { policyName: REVOKE_POLICY_NAME, tokenIssuedBefore: cutoff.toISOString(), replacedPolicy: existingDocument ?? null },
        },
      ],
      summary: `sessions of ${roleName} issued before ${cutoff.toISOString()} denied (${REVOKE_POLICY_NAME}${existing ? `; moved from ${existing.cutoff.toISOString()}` : ''})`,
    };
  });
}

export const revokeRoleSessions: ActionModule<AwsContext> = { spec: actionSpec('revoke-role-sessions'), plannedCalls, run };
