import type { AwsContext } from '../../adapters/aws/clients.js';
import type { ActionName } from '../../core/model.js';
import type { ActionModule } from '../types.js';
import { blockAccountPublicAccess } from './block-account-public-access.js';
import { blockS3PublicAccess } from './block-s3-public-access.js';
import { deactivateAccessKey } from './deactivate-access-key.js';
import { detachFromAutoScaling } from './detach-from-autoscaling.js';
import { isolateSubnet } from './isolate-subnet.js';
import { quarantineInstance } from './quarantine-instance.js';
import { revokeInstanceCredentials } from './revoke-instance-credentials.js';
import { revokeRoleSessions } from './revoke-role-sessions.js';
import { revokeUserCredentials } from './revoke-user-credentials.js';
import { snapshotVolumes } from './snapshot-volumes.js';
import { updateFinding } from './update-finding.js';

/** Every AWS action module by its fixed name (DESIGN.md §3). */
export const AWS_ACTIONS = {
  'quarantine-instance': quarantineInstance,
  'snapshot-volumes': snapshotVolumes,
  'revoke-role-sessions': revokeRoleSessions,
  'deactivate-access-key': deactivateAccessKey,
  'block-s3-public-access': blockS3PublicAccess,
  'block-account-public-access': blockAccountPublicAccess,
  'detach-from-autoscaling': detachFromAutoScaling,
  'isolate-subnet': isolateSubnet,
  'revoke-instance-credentials': revokeInstanceCredentials,
  'revoke-user-credentials': revokeUserCredentials,
  'update-finding': updateFinding,
} as const satisfies Partial<Record<ActionName, ActionModule<AwsContext>>>;

export type AwsActionName = keyof typeof AWS_ACTIONS;

export function awsAction(name: ActionName): ActionModule<AwsContext> | undefined {
  return (AWS_ACTIONS as Partial<Record<ActionName, ActionModule<AwsContext>>>)[name];
}
