import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { NAG_ARN_PARTS, responseStatements } from './permissions.js';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin; its findings are acknowledged with
 * CDK's `Validations.of(…).acknowledge` (the v3 replacement of `NagSuppressions`), always with a reason.
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/** One acknowledgement per wildcard resource in the catalog-derived response policy, reason from its scope. */
export function acknowledgeResponseWildcards(construct: IConstruct): void {
  for (const statement of responseStatements(NAG_ARN_PARTS)) {
    for (const resource of statement.resources) {
      if (resource.includes('*')) acknowledge(construct, `AwsSolutions-IAM5[Resource::${resource}]`, statement.why.join(' '));
    }
  }
}
