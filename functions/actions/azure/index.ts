import type { ActionName } from '../../core/model.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { blockStoragePublicAccess } from './block-storage-public-access.js';
import { quarantineVm } from './quarantine-vm.js';
import { revokeUserSessions } from './revoke-user-sessions.js';
import { snapshotDisks } from './snapshot-disks.js';
import { updateAlert } from './update-alert.js';

/** Every Azure action, by name: what the action runner (Azure Function / local engine) dispatches on. */
export const AZURE_ACTIONS: Partial<Record<ActionName, ActionModule<AzureContext>>> = {
  'quarantine-vm': quarantineVm,
  'snapshot-disks': snapshotDisks,
  'block-storage-public-access': blockStoragePublicAccess,
  'revoke-user-sessions': revokeUserSessions,
  'update-alert': updateAlert,
};

export { blockStoragePublicAccess, quarantineVm, revokeUserSessions, snapshotDisks, updateAlert };
