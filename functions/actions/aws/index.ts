import type { AwsContext } from '../../adapters/aws/clients.js';
import type { ActionName } from '../../core/model.js';
import type { ActionModule } from '../types.js';
import { blockS3PublicAccess } from './block-s3-public-access.js';
import { deactivateAccessKey } from './deactivate-access-key.js';
import { quarantineInstance } from './quarantine-instance.js';
import { revokeRoleSessions } from './revoke-role-sessions.js';
import { snapshotVolumes } from './snapshot-volumes.js';
import { updateFinding } from './update-finding.js';

/** Every AWS action module by its fixed name (DESIGN.md §3). */
export const AWS_ACTIONS = {
  'quarantine-instance': quarantineInstance,
  'snapshot-volumes': snapshotVolumes,
  'revoke-role-sessions': revokeRoleSessions,
  'deactivate-access-key': deactivateAccessKey,
  'block-s3-public-access': blockS3PublicAccess,
  'update-finding': updateFinding,
} as const satisfies Partial<Record<ActionName, ActionModule<AwsContext>>>;

export type AwsActionName = keyof typeof AWS_ACTIONS;

export function awsAction(name: ActionName): ActionModule<AwsContext> | undefined {
  return (AWS_ACTIONS as Partial<Record<ActionName, ActionModule<AwsContext>>>)[name];
}
