import type { SimService } from '../server.js';
import { Ec2Service } from './ec2.js';
import { IamService, StsService } from './iam.js';
import { AutoScalingService } from './autoscaling.js';
import { S3Service } from './s3.js';
import { S3ControlService } from './s3control.js';
import { SecurityHubService } from './securityhub.js';
import type { AwsEstateState } from './state.js';

export type { AwsEstateState } from './state.js';
export { SIM_DEFAULT_REGION, emptyAwsEstate } from './state.js';
export { AwsEstateSeedSchema, applyAwsSeed, createAwsEstate, seedFromFinding, type AwsEstateSeed } from './seed.js';

/** The AWS wire protocols of the estate, all over one shared state. */
export function createAwsSimServices(state: AwsEstateState): SimService[] {
  return [new Ec2Service(state), new IamService(state), new StsService(state), new AutoScalingService(state), new S3ControlService(state), new S3Service(state), new SecurityHubService(state)];
}
