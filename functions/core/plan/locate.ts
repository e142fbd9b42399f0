import type { Finding, Resource } from '../model.js';

/**
 * Where a step acts: the resource's own account and region when the finding says so, else what
 * its id says (ARN fields, the ARM subscription), else the finding's. IAM and S3 ARNs carry no
 * region, S3 ARNs no account: those fall back to the finding.
 */
const ARN = /^arn:[^:]+:[^:]+:([^:]*):([^:]*):/;
const ARM_SUBSCRIPTION = /^\/subscriptions\/([^/]+)/i;

export interface Location {
  account: string;
  region: string;
}

export function locationFromId(id: string): Partial<Location> {
  const arn = ARN.exec(id);
  if (arn) {
    const out: Partial<Location> = {};
    if (arn[1]) out.region = arn[1];
    if (arn[2]) out.account = arn[2];
    return out;
  }
  const arm = ARM_SUBSCRIPTION.exec(id);
  return arm?.[1] ? { account: arm[1] } : {};
}

export function locate(resource: Resource, finding: Pick<Finding, 'account' | 'region'>): Location {
  const fromId = resource.account && resource.region ? {} : locationFromId(resource.id);
  return {
    account: resource.account ?? fromId.account ?? finding.account,
    region: resource.region ?? fromId.region ?? finding.region,
  };
}
