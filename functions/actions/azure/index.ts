import type { ActionName } from '../../core/model.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { blockStoragePublicAccess } from './block-storage-public-access.js';
import { disableUser } from './disable-user.js';
import { quarantineVm } from './quarantine-vm.js';
import { revokeUserSessions } from './revoke-user-sessions.js';
import { rotateStorageKeys } from './rotate-storage-keys.js';
import { snapshotDisks } from './snapshot-disks.js';
import { updateAlert } from './update-alert.js';

/** Every Azure action, by name: what the action runner (Azure Function / local engine) dispatches on. */
export const AZURE_ACTIONS: Partial<Record<ActionName, ActionModule<AzureContext>>> = {
  'quarantine-vm': quarantineVm,
  'snapshot-disks': snapshotDisks,
  'block-storage-public-access': blockStoragePublicAccess,
  'rotate-storage-keys': rotateStorageKeys,
  'disable-user': disableUser,
  'revoke-user-sessions': revokeUserSessions,
  'update-alert': updateAlert,
};

export { blockStoragePublicAccess, disableUser, quarantineVm, revokeUserSessions, rotateStorageKeys, snapshotDisks, updateAlert };
