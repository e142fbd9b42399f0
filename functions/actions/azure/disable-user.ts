/**
 * disable-user: Graph `PATCH /users/{id}` with `accountEnabled: false`. A disabled account cannot
 * sign in with its password and cannot redeem its refresh tokens, so it runs before
 * `revoke-user-sessions` (revoking first would leave the attacker, who holds the password, free to
 * sign in again between the two steps). Only users the alert marks compromised are targeted (the
 * catalog's unfitTarget). The previous `accountEnabled` is recorded so a release can restore it.
 *
 * Graph refuses to change `accountEnabled` of a user in a privileged administrator role unless
 * the caller holds a higher privileged role; Cordon's identity deliberately holds none, so that
 * refusal fails the step (AccessDenied, the incident escalates) with what a person must do.
 */
import * as z from 'zod';
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { failedFrom, incidentTags } from './common.js';

interface GraphUser {
  id?: string;
  userPrincipalName?: string;
  accountEnabled?: boolean | null;
}

const userPath = (id: string) => `/users/${encodeURIComponent(id)}`;
const SELECT = ['id', 'userPrincipalName', 'accountEnabled'];

/** Graph's answer for a user only a higher-privileged administrator may disable. */
function refusedAsPrivileged(e: unknown): boolean {
  const err = e as { statusCode?: number; code?: string };
  return err.statusCode === 403 && err.code === 'Authorization_RequestDenied';
}

export function privilegedGuidance(user: string): string {
  return (
    `Graph refused to disable ${user} (Authorization_RequestDenied): the user holds a privileged administrator role, which only a higher-privileged ` +
    'administrator (Privileged Authentication Administrator or Global Administrator) may disable, and Cordon\'s identity holds no such role by design. ' +
    'A person must block its sign-in now (Entra admin center → Users → Block sign-in, or PATCH accountEnabled=false as such an administrator), reset its password ' +
    'and review its role assignments; revoking its sessions alone leaves the password usable.'
  );
}

const RecordedBefore = z.object({ id: z.string(), userPrincipalName: z.string().optional(), accountEnabled: z.boolean() });

export const disableUser: ActionModule<AzureContext> = {
  spec: ACTION_CATALOG['disable-user'],

  plannedCalls(input: ActionInput): PlannedCall[] {
    return [
      { operation: 'graph:getUser', request: { path: `${userPath(input.target.id)}?$select=${SELECT.join(',')}` } },
      { operation: 'graph:updateUser', request: { method: 'PATCH', path: userPath(input.target.id), body: { accountEnabled: false } } },
    ];
  },

  async run(input: ActionInput, ctx: AzureContext): Promise<ActionResult> {
    if (input.target.id.trim() === '') return { status: 'failed', errorClass: 'InvalidTarget', message: 'disable-user: empty user id' };
    const { graph } = ctx.clients;
    const read = async () => (await graph.api(userPath(input.target.id)).select(SELECT).get()) as GraphUser;
    let before: { id: string; userPrincipalName?: string; accountEnabled: boolean };
    try {
      const user = await read();
      before = { id: user.id ?? input.target.id, ...(user.userPrincipalName ? { userPrincipalName: user.userPrincipalName } : {}), accountEnabled: user.accountEnabled !== false };
    } catch (e) {
      return failedFrom(e);
    }
    const name = before.userPrincipalName ?? before.id;
    if (!before.accountEnabled) return { status: 'skipped', reason: 'already-done', summary: `${name} is already disabled`, before };
    try {
      await graph.api(userPath(input.target.id)).patch({ accountEnabled: false });
    } catch (e) {
      if (refusedAsPrivileged(e)) return { status: 'failed', errorClass: 'AccessDenied', message: privilegedGuidance(name) };
      return failedFrom(e);
    }
    try {
      const after = await read();
      const disabledAt = ctx.now().toISOString();
      return {
        status: 'succeeded',
        before,
        after: { ...before, accountEnabled: after.accountEnabled !== false },
        evidence: [
          {
            kind: 'original-config',
            id: `${before.id}@accountEnabled`,
            of: before.id,
            takenAt: disabledAt,
            tags: incidentTags(input),
            details: { userPrincipalName: before.userPrincipalName, accountEnabled: before.accountEnabled },
          },
        ],
        summary: `${name}: account disabled (no sign-in, no token refresh)`,
      };
    } catch (e) {
      return failedFrom(e);
    }
  },

  /** Enables the account again only when it was enabled before Cordon disabled it. */
  async release(input: ReleaseInput, ctx: AzureContext): Promise<ActionResult> {
    const recorded = RecordedBefore.safeParse(input.before);
    if (!recorded.success) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not a disable-user record` };
    try {
      const { graph } = ctx.clients;
      const current = (await graph.api(userPath(recorded.data.id)).select(SELECT).get()) as GraphUser;
      const before = { id: recorded.data.id, accountEnabled: current.accountEnabled !== false };
      if (before.accountEnabled === recorded.data.accountEnabled) return { status: 'skipped', reason: 'already-done', summary: `${recorded.data.userPrincipalName ?? recorded.data.id}: accountEnabled is already ${String(recorded.data.accountEnabled)}`, before };
      await graph.api(userPath(recorded.data.id)).patch({ accountEnabled: recorded.data.accountEnabled });
      return { status: 'succeeded', before, after: { ...before, accountEnabled: recorded.data.accountEnabled }, evidence: [], summary: `${recorded.data.userPrincipalName ?? recorded.data.id}: accountEnabled restored to ${String(recorded.data.accountEnabled)}` };
    } catch (e) {
      return failedFrom(e);
    }
  },
};
