/**
 * revoke-user-sessions: Graph `POST /users/{id}/revokeSignInSessions` invalidates the Entra user's
 * refresh tokens and session cookies (sets signInSessionsValidFromDateTime to now).
 *
 * Idempotency: the call itself is repeatable, but repeating it later would also cut off sessions
 * the user legitimately re-established after remediation. So the action reads
 * signInSessionsValidFromDateTime first; when it is at or after the finding's `observedAt`, every
 * session that existed when the compromise was seen is already dead → skipped `already-done`.
 * Without `observedAt` it always revokes (safe, just not deduplicated).
 */
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { failedFrom, incidentTags } from './common.js';

interface GraphUser {
  id?: string;
  userPrincipalName?: string;
  signInSessionsValidFromDateTime?: string | null;
}

const userPath = (id: string) => `/users/${encodeURIComponent(id)}`;

export const revokeUserSessions: ActionModule<AzureContext> = {
  spec: ACTION_CATALOG['revoke-user-sessions'],

  plannedCalls(input: ActionInput): PlannedCall[] {
    return [
      { operation: 'graph:getUser', request: { path: `${userPath(input.target.id)}?$select=id,userPrincipalName,signInSessionsValidFromDateTime` } },
      { operation: 'graph:revokeSignInSessions', request: { method: 'POST', path: `${userPath(input.target.id)}/revokeSignInSessions` } },
    ];
  },

  async run(input: ActionInput, ctx: AzureContext): Promise<ActionResult> {
    if (input.target.id.trim() === '') return { status: 'failed', errorClass: 'InvalidTarget', message: 'revoke-user-sessions: empty user id' };
    try {
      const { graph } = ctx.clients;
      const read = async () =>
        (await graph.api(userPath(input.target.id)).select(['id', 'userPrincipalName', 'signInSessionsValidFromDateTime']).get()) as GraphUser;
      const user = await read();
      const before = { id: user.id ?? input.target.id, userPrincipalName: user.userPrincipalName, signInSessionsValidFromDateTime: user.signInSessionsValidFromDateTime ?? null };
      const observedAt = input.finding.observedAt ? Date.parse(input.finding.observedAt) : Number.NaN;
      const validFrom = before.signInSessionsValidFromDateTime ? Date.parse(before.signInSessionsValidFromDateTime) : Number.NaN;
      if (!Number.isNaN(observedAt) && !Number.isNaN(validFrom) && validFrom >= observedAt) {
        return {
          status: 'skipped',
          reason: 'already-done',
          summary: `${before.userPrincipalName ?? before.id}: sessions already revoked at ${before.signInSessionsValidFromDateTime}, after the finding was observed`,
          before,
        };
      }
      await graph.api(`${userPath(input.target.id)}/revokeSignInSessions`).post({});
      const revokedAt = ctx.now().toISOString();
      const after = { ...before, signInSessionsValidFromDateTime: (await read()).signInSessionsValidFromDateTime ?? revokedAt };
      return {
        status: 'succeeded',
        before,
        after,
        evidence: [
          {
            kind: 'session-revocation',
            id: `${before.id}@${after.signInSessionsValidFromDateTime}`,
            of: before.id,
            takenAt: revokedAt,
            tags: incidentTags(input),
            details: { userPrincipalName: before.userPrincipalName, previousValidFrom: before.signInSessionsValidFromDateTime, validFrom: after.signInSessionsValidFromDateTime },
          },
        ],
        summary: `${before.userPrincipalName ?? before.id}: sign-in sessions revoked`,
      };
    } catch (e) {
      return failedFrom(e);
    }
  },
};
