/**
 * rotate-storage-keys: for a storage account the alert shows reached with an account key or a SAS.
 * Both keys are regenerated (`regenerateKey`, which key the attacker holds is unknown, and every
 * SAS signed by an old key dies with it) and shared-key access is disabled
 * (`allowSharedKeyAccess: false`), so neither the keys nor any SAS they signed authorize requests.
 * Applications using the keys break until they get new ones: the catalog puts it behind approval.
 *
 * The before-state records the shared-key setting and each key's creation time — never a key.
 * Idempotent: a key created after the finding was observed is already a new one and is left as
 * it is. A release turns shared-key access back to its recorded value; the old keys cannot come
 * back (that is the point), so applications take the new ones from the portal or Key Vault.
 */
import * as z from 'zod';
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { armName } from '../../core/arm-id.js';
import { failedFrom, incidentTags, invalidTarget, targetArmId } from './common.js';

const STORAGE_TYPE = 'Microsoft.Storage/storageAccounts';
const KEY_NAMES = ['key1', 'key2'] as const;

const iso = (d: Date | string | undefined) => (d === undefined ? null : new Date(d).toISOString());

const RecordedBefore = z.object({ id: z.string(), allowSharedKeyAccess: z.boolean().nullable() });

export const rotateStorageKeys: ActionModule<AzureContext> = {
  spec: ACTION_CATALOG['rotate-storage-keys'],

  plannedCalls(input: ActionInput): PlannedCall[] {
    return [
      { operation: 'Microsoft.Storage/storageAccounts/read', request: { id: input.target.id } },
      ...KEY_NAMES.map((keyName) => ({ operation: 'Microsoft.Storage/storageAccounts/regenerateKey/action', request: { id: input.target.id, keyName } })),
      { operation: 'Microsoft.Storage/storageAccounts/write', request: { id: input.target.id, properties: { allowSharedKeyAccess: false } } },
    ];
  },

  async run(input: ActionInput, ctx: AzureContext): Promise<ActionResult> {
    const target = targetArmId(input, STORAGE_TYPE);
    if (!target) return invalidTarget(input, 'a storage account ARM id');
    const rg = target.resourceGroup;
    const name = armName(target);
    try {
      const { storage } = ctx.clients;
      const account = await storage.storageAccounts.getProperties(rg, name);
      const created = { key1: iso(account.keyCreationTime?.key1), key2: iso(account.keyCreationTime?.key2) };
      const before = { id: account.id ?? input.target.id, allowSharedKeyAccess: account.allowSharedKeyAccess ?? null, keyCreationTime: created };
      // A key made after the compromise was seen is not the attacker's: without a time, rotate both.
      const seen = input.finding.observedAt ? Date.parse(input.finding.observedAt) : Number.NaN;
      const stale = KEY_NAMES.filter((k) => Number.isNaN(seen) || created[k] === null || Date.parse(created[k]) < seen);
      const sharedKeyOn = account.allowSharedKeyAccess !== false;
      if (stale.length === 0 && !sharedKeyOn) {
        return { status: 'skipped', reason: 'already-done', summary: `${name}: both keys were regenerated after the finding and shared-key access is off`, before };
      }
      for (const keyName of stale) await storage.storageAccounts.regenerateKey(rg, name, { keyName });
      if (sharedKeyOn) await storage.storageAccounts.update(rg, name, { allowSharedKeyAccess: false });
      const now = await storage.storageAccounts.getProperties(rg, name);
      const after = {
        id: before.id,
        allowSharedKeyAccess: now.allowSharedKeyAccess ?? null,
        keyCreationTime: { key1: iso(now.keyCreationTime?.key1), key2: iso(now.keyCreationTime?.key2) },
      };
      return {
        status: 'succeeded',
        before,
        after,
        evidence: [
          {
            kind: 'original-config',
            id: `${before.id}@keys`,
            of: before.id,
            takenAt: ctx.now().toISOString(),
            tags: incidentTags(input),
            details: { allowSharedKeyAccess: before.allowSharedKeyAccess, keyCreationTime: created, regenerated: stale },
          },
        ],
        summary: `${name}: ${stale.length > 0 ? `${stale.join(' and ')} regenerated` : 'keys already new'}${sharedKeyOn ? ', shared-key access disabled' : ''} (applications need the new keys, or Entra ID auth)`,
      };
    } catch (e) {
      return failedFrom(e);
    }
  },

  /** Shared-key access back to its recorded value; the regenerated keys stay (the old ones are gone for good). */
  async release(input: ReleaseInput, ctx: AzureContext): Promise<ActionResult> {
    const recorded = RecordedBefore.safeParse(input.before);
    const target = recorded.success ? targetArmId({ target: { type: STORAGE_TYPE, id: recorded.data.id } }, STORAGE_TYPE) : undefined;
    if (!recorded.success || !target) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not a rotate-storage-keys record` };
    try {
      const { storage } = ctx.clients;
      const name = armName(target);
      const current = await storage.storageAccounts.getProperties(target.resourceGroup, name);
      const want = recorded.data.allowSharedKeyAccess !== false;
      const before = { id: recorded.data.id, allowSharedKeyAccess: current.allowSharedKeyAccess ?? null };
      if ((current.allowSharedKeyAccess !== false) === want) return { status: 'skipped', reason: 'already-done', summary: `${name}: shared-key access is already ${want ? 'on' : 'off'}`, before };
      await storage.storageAccounts.update(target.resourceGroup, name, { allowSharedKeyAccess: want });
      return { status: 'succeeded', before, after: { ...before, allowSharedKeyAccess: want }, evidence: [], summary: `${name}: shared-key access back ${want ? 'on' : 'off'} (the regenerated keys stay: hand applications the new ones)` };
    } catch (e) {
      return failedFrom(e);
    }
  },
};
