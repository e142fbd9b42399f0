import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { ActionResult } from '../../core/actions/types.js';

/**
 * Reads one instance. EC2 answers an unknown id with InvalidInstanceID.NotFound (thrown, then
 * classified); an empty answer (e.g. terminated and purged) is reported the same way.
 */
export async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance | ActionResult> {
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = described.Reservations?.[0]?.Instances?.[0];
  return instance ?? { status: 'failed', errorClass: 'NotFound', message: `InvalidInstanceID.NotFound: ${instanceId} was not returned by DescribeInstances` };
}

export function isResult(value: Instance | ActionResult): value is ActionResult {
  // An EC2 Instance has State, never `status`.
  return 'status' in value;
}
