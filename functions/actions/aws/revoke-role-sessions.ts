import { GetRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { roleNameOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded, isAwsError } from './common.js';

/**
 * Revokes every session issued before now the way the IAM console's "Revoke active sessions"
 * does: an inline policy named AWSRevokeOlderSessions denying everything to tokens whose
 * aws:TokenIssueTime is earlier than the cutoff. The role itself is never deleted (it is
 * evidence, and deleting it would break whatever legitimately uses it).
 *
 * Idempotency rule: the step is already done when the role's AWSRevokeOlderSessions policy
 * denies * on * before a cutoff and either (a) the statement was written for this incident
 * (its Sid names it) or (b) the cutoff is at or after `params.revokeBefore` (ISO time, e.g.
 * the finding's observedAt, the default). A re-run never moves the cutoff
 * earlier: the new cutoff is the later of now and the existing one.
 */
export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: { DateLessThan?: Record<string, string> };
}

const isStar = (v: string | string[] | undefined) => v === '*' || (Array.isArray(v) && v.length === 1 && v[0] === '*');

/** Sids are alphanumeric: the incident id without its punctuation. */
export function revokeSid(incidentId: string): string {
  return `CordonRevoke${incidentId.replace(/[^A-Za-z0-9]/g, '')}`;
}

export function revokePolicyDocument(cutoff: Date, incidentId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: revokeSid(incidentId), Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff.toISOString() } } }],
  });
}

/** The deny-all statement of an existing revocation policy, if the document has one. */
function revocationOf(document: string): { cutoff: Date; sid?: string } | undefined {
  let parsed: { Statement?: Statement | Statement[] };
  try {
    parsed = JSON.parse(document) as { Statement?: Statement | Statement[] };
  } catch {
    return undefined;
  }
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
  for (const s of statements) {
    const cutoff = s.Condition?.DateLessThan?.['aws:TokenIssueTime'];
    if (s.Effect === 'Deny' && isStar(s.Action) && isStar(s.Resource) && cutoff && !Number.isNaN(Date.parse(cutoff))) return { cutoff: new Date(cutoff), sid: s.Sid };
  }
  return undefined;
}

function plannedCalls(input: ActionInput): PlannedCall[] {
  const RoleName = roleNameOf(input.target.id);
  return [
    { operation: 'iam:GetRole', request: { RoleName } },
    { operation: 'iam:GetRolePolicy', request: { RoleName, PolicyName: REVOKE_POLICY_NAME } },
    { operation: 'iam:PutRolePolicy', request: { RoleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokePolicyDocument(new Date(0), input.incidentId).replace('1970-01-01T00:00:00.000Z', '<now>') } },
  ];
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  const iam = ctx.clients.iam;
  const roleName = roleNameOf(input.target.id);
  return guarded(async () => {
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
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
    // The finding's own time is the default: sessions issued after it were not seen by the detector.
    const revokeBeforeText = typeof input.params.revokeBefore === 'string' ? input.params.revokeBefore : input.finding.observedAt;
    const revokeBefore = revokeBeforeText === undefined ? Number.NaN : Date.parse(revokeBeforeText);
    if (existing && (existing.sid === revokeSid(input.incidentId) || (!Number.isNaN(revokeBefore) && existing.cutoff.getTime() >= revokeBefore))) {
      return alreadyDone(`${roleName} already denies sessions issued before ${existing.cutoff.toISOString()}`, before);
    }
    const now = ctx.now();
    const cutoff = existing && existing.cutoff > now ? existing.cutoff : now;
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
      summary: `sessions of ${roleName} issued before ${cutoff.toISOString()} denied (${REVOKE_POLICY_NAME})`,
    };
  });
}

export const revokeRoleSessions: ActionModule<AwsContext> = { spec: actionSpec('revoke-role-sessions'), plannedCalls, run };
