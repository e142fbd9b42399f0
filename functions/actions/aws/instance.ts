import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { ActionInput, ActionResult } from '../../core/actions/types.js';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { instanceIdOf } from '../../adapters/aws/targets.js';
import { guarded } from './common.js';

/**
 * Reads one instance. EC2 answers an unknown id with InvalidInstanceID.NotFound (thrown, then
 * classified); an empty answer (e.g. terminated and purged) is reported the same way.
 */
async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance | ActionResult> {
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = described.Reservations?.[0]?.Instances?.[0];
  return instance ?? { status: 'failed', errorClass: 'NotFound', message: `InvalidInstanceID.NotFound: ${instanceId} was not returned by DescribeInstances` };
}

function isResult(value: Instance | ActionResult): value is ActionResult {
  // An EC2 Instance has State, never `status`.
  return 'status' in value;
}

/**
 * The opening every instance action shares: find the target instance (or report it missing),
 * then run `body` on it, with cloud errors classified (guarded).
 */
export function withInstance(
  input: Pick<ActionInput, 'target'>,
  ctx: AwsContext,
  body: (instance: Instance, ec2: EC2Client, instanceId: string) => Promise<ActionResult>,
): Promise<ActionResult> {
  const ec2 = ctx.clients.ec2;
  const instanceId = instanceIdOf(input.target.id);
  return guarded(async () => {
    const instance = await describeInstance(ec2, instanceId);
    return isResult(instance) ? instance : body(instance, ec2, instanceId);
  });
}
