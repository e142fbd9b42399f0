import { Aws, BootstraplessSynthesizer, CfnOutput, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { RESPONDER_ROLE_NAME } from './cordon-stack.js';
import { acknowledgeResponseWildcards } from './nag.js';
import { protectedPrincipalsDeny, responseStatements, toPolicyStatements } from './permissions.js';

/**
 * The role each member account deploys so one Cordon deployment responds across an
 * organization: `CordonResponder`, assumable only by the Cordon action-runner role and only
 * with the external id, holding the same catalog-derived permissions scoped to its own account.
 * Synthesized without bootstrap assets, so `cdk.out/CordonResponder.template.json` can be
 * deployed as a CloudFormation StackSet as is.
 */
export class ResponderRoleStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { ...props, synthesizer: new BootstraplessSynthesizer() });
    const runnerRoleArn = new CfnParameter(this, 'ActionRunnerRoleArn', {
      type: 'String',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
      description: 'Output ActionRunnerRoleArn of the Cordon stack',
    });
    const externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      noEcho: true,
      minLength: 16,
      description: 'The same value as the Cordon stack parameter ResponderExternalId',
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: RESPONDER_ROLE_NAME,
      description: 'Cordon incident response actions in this account',
      assumedBy: new iam.ArnPrincipal(runnerRoleArn.valueAsString),
      externalIds: [externalId.valueAsString],
      maxSessionDuration: Duration.hours(1),
    });
    const policy = new iam.Policy(this, 'ResponsePolicy', {
      statements: toPolicyStatements([...responseStatements({ partition: Aws.PARTITION, account: Aws.ACCOUNT_ID }), protectedPrincipalsDeny({ partition: Aws.PARTITION, account: Aws.ACCOUNT_ID })]),
    });
    policy.attachToRole(this.role);
    acknowledgeResponseWildcards(policy);
    new CfnOutput(this, 'ResponderRoleArn', { value: this.role.roleArn });
  }
}
