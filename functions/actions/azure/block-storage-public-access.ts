/**
 * block-storage-public-access: set `allowBlobPublicAccess: false` on a storage account, which
 * overrides every container's public access level at once. The previous value is recorded
 * (absent on older accounts, where the service treats it as allowed).
 */
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import * as z from 'zod';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { armName } from '../../core/arm-id.js';
import { sendArmRequest } from '../../adapters/azure/arm-request.js';
import { failedFrom, incidentTags, invalidTarget, targetArmId } from './common.js';

const ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';
/** The api-version @azure/arm-storage 20 uses for storage accounts. */
export const STORAGE_API_VERSION = '2025-08-01';

export const blockStoragePublicAccess: ActionModule<AzureContext> = {
  spec: ACTION_CATALOG['block-storage-public-access'],

  plannedCalls(input: ActionInput): PlannedCall[] {
    return [
      { operation: 'Microsoft.Storage/storageAccounts/read', request: { id: input.target.id } },
      { operation: 'Microsoft.Storage/storageAccounts/write', request: { id: input.target.id, method: 'PATCH', properties: { allowBlobPublicAccess: false } } },
    ];
  },

  async run(input: ActionInput, ctx: AzureContext): Promise<ActionResult> {
    const target = targetArmId(input, ACCOUNT_TYPE);
    if (!target) return invalidTarget(input, 'a storage account ARM id');
    const name = armName(target);
    try {
      const { storage } = ctx.clients;
      const account = await storage.storageAccounts.getProperties(target.resourceGroup, name);
      const before = { id: account.id ?? input.target.id, allowBlobPublicAccess: account.allowBlobPublicAccess ?? null };
      if (account.allowBlobPublicAccess === false) {
        return { status: 'skipped', reason: 'already-done', summary: `${name} already disallows blob public access`, before };
      }
      // storageAccounts.update would send no properties for this field alone (see arm-request.ts).
      await sendArmRequest(storage.pipeline, ctx.clients.armEndpoint, {
        method: 'PATCH',
        path: before.id,
        apiVersion: STORAGE_API_VERSION,
        body: { properties: { allowBlobPublicAccess: false } },
      });
      const updated = await storage.storageAccounts.getProperties(target.resourceGroup, name);
      const after = { id: before.id, allowBlobPublicAccess: updated.allowBlobPublicAccess ?? null };
      if (updated.allowBlobPublicAccess !== false) {
        return { status: 'failed', errorClass: 'Unknown', message: `${name}: update returned allowBlobPublicAccess=${String(after.allowBlobPublicAccess)}` };
      }
      return {
        status: 'succeeded',
        before,
        after,
        evidence: [{ kind: 'original-config', id: `${before.id}#allowBlobPublicAccess`, of: before.id, takenAt: ctx.now().toISOString(), tags: incidentTags(input), details: before }],
        summary: `${name}: allowBlobPublicAccess ${String(before.allowBlobPublicAccess)} → false`,
      };
    } catch (e) {
      return failedFrom(e);
    }
  },
  /**
   * Sets allowBlobPublicAccess back to the recorded value; a recorded "never set" (null) is
   * restored as true, which is what the service does with an unset value.
   */
  async release(input: ReleaseInput, ctx: AzureContext): Promise<ActionResult> {
    const recorded = z.object({ id: z.string(), allowBlobPublicAccess: z.boolean().nullable() }).safeParse(input.before);
    if (!recorded.success) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not a block-storage-public-access record` };
    const target = targetArmId(input, ACCOUNT_TYPE);
    if (!target) return invalidTarget(input, 'a storage account ARM id');
    const name = armName(target);
    const want = recorded.data.allowBlobPublicAccess ?? true;
    try {
      const { storage } = ctx.clients;
      const account = await storage.storageAccounts.getProperties(target.resourceGroup, name);
      const before = { id: recorded.data.id, allowBlobPublicAccess: account.allowBlobPublicAccess ?? null };
      if ((account.allowBlobPublicAccess ?? true) === want) return { status: 'skipped', reason: 'already-done', summary: `${name} already has allowBlobPublicAccess ${String(want)}`, before };
      await sendArmRequest(storage.pipeline, ctx.clients.armEndpoint, { method: 'PATCH', path: recorded.data.id, apiVersion: STORAGE_API_VERSION, body: { properties: { allowBlobPublicAccess: want } } });
      return { status: 'succeeded', before, after: { id: recorded.data.id, allowBlobPublicAccess: want }, evidence: [], summary: `${name}: allowBlobPublicAccess back to ${String(want)} as recorded` };
    } catch (e) {
      return failedFrom(e);
    }
  },
};
