import { join } from 'node:path';
import { Annotations, Aws, CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CASE_TABLE_INDEX, recordPk } from '../functions/records/dynamo-case-store.js';
import { AUDIT_CHAIN } from '../functions/records/table-audit-trail.js';
import { cdkBundling } from './bundling.js';
import type { LambdaEntries, LambdaName } from './lambdas.js';
import { acknowledge, acknowledgeResponseWildcards } from './nag.js';
import { DEFAULT_TRUSTED_PRODUCTS } from '../functions/core/trust/trust.js';
import { protectedPrincipalsDeny, responseStatements, toPolicyStatements } from './permissions.js';
import type { AslSubstitution, CompiledPlaybook } from './playbook-asl.js';

/** Name of the role member accounts deploy (infra/responder-role.ts) for the action runner to assume. */
export const RESPONDER_ROLE_NAME = 'CordonResponder';
/** Header carrying the shared secret on every call to the Azure action runner. */
export const AZURE_RUNNER_SECRET_HEADER = 'x-cordon-runner-secret';
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
const STATE_MACHINE_WILDCARDS = 'CloudWatch Logs delivery (logs:CreateLogDelivery …) and X-Ray actions support no resource-level permissions.';
/** Case records are created and updated, never deleted or scanned. */
const CASE_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
/** The case table partition of the audit chain. */
const AUDIT_CHAIN_PARTITION = recordPk(AUDIT_CHAIN);
/** Context keys: `npx cdk deploy -c cordon:auditRetentionDays=2555`. */
export const CONTEXT_AUDIT_RETENTION_DAYS = 'cordon:auditRetentionDays';

export interface CordonStackProps extends StackProps {
  /** Compiled ASL per playbook (infra/playbook-asl.ts). */
  playbooks: readonly CompiledPlaybook[];
  /** The compiled clock-watch machine (one execution per regulatory clock); its Lambda is clock-reminder. */
  clockWatch?: CompiledPlaybook;
  /** Playbooks that could not be deployed; each becomes a synth error on the stack. */
  playbookProblems?: readonly string[];
  /** Handler source files, relative to `projectRoot` (infra/lambdas.ts). */
  lambdaEntries: LambdaEntries;
  projectRoot: string;
  /** Audit bucket Object Lock retention; default: context `cordon:auditRetentionDays`, else 365. */
  auditRetentionDays?: number;
}

/**
 * Cordon in one AWS account: events in, one Standard state machine per playbook, the
 * action runner with exactly the permissions the action catalog declares, and an
 * encrypted, write-once record (case table, Object Lock audit bucket).
 */
export class CordonStack extends Stack {
  readonly key: kms.Key;
  readonly deadLetters: sqs.Queue;
  readonly functions: Readonly<Record<LambdaName, NodejsFunction>>;
  readonly actionRunnerRole: iam.Role;
  readonly stateMachines: ReadonlyMap<string, sfn.StateMachine>;

  constructor(scope: Construct, id: string, props: CordonStackProps) {
    super(scope, id, props);
    for (const problem of props.playbookProblems ?? []) Annotations.of(this).addError(problem);

    const externalId = new CfnParameter(this, 'ResponderExternalId', {
      type: 'String',
      noEcho: true,
      minLength: 16,
      description: `sts:ExternalId the action runner presents when assuming ${RESPONDER_ROLE_NAME} in member accounts`,
    });
    const azureRunnerUrl = new CfnParameter(this, 'AzureActionRunnerUrl', {
      type: 'String',
      allowedPattern: '^https://[^/]+/.*$',
      default: 'https://cordon-runner.invalid/api/actions',
      description: 'HTTPS URL of the Azure action-runner function (infra/azure/main.bicep output actionRunnerUrl)',
    });

    this.key = new kms.Key(this, 'Key', {
      description: 'Cordon: case table, audit log, queues, topic, logs and state machines',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.allowServicesToUseKey();

    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetters, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of every asynchronous path (rule targets and async Lambda invocations); it has no queue of its own to fail to.');

    const caseTable = new dynamodb.Table(this, 'Cases', {
      // The layout DynamoCaseStore reads and writes (functions/records/dynamo-case-store.ts).
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    caseTable.addGlobalSecondaryIndex({
      indexName: CASE_TABLE_INDEX,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    const auditBucket = this.auditBucket(props.auditRetentionDays);
    // The audit chain's signing key (DESIGN.md §3). Its private half never leaves KMS: the
    // functions may ask KMS to sign (kms:Sign, nothing else), so whoever controls a function can
    // append records but never re-sign a rewritten chain outside KMS's own log (CloudTrail). The
    // head anchored in the Object Lock checkpoints covers the rest.
    const auditKey = new kms.Key(this, 'AuditKey', {
      description: 'Cordon: signs every audit record (Ed25519)',
      keySpec: kms.KeySpec.ECC_NIST_EDWARDS25519,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const escalation = new sns.Topic(this, 'Escalation', {
      displayName: 'Cordon escalations',
      masterKey: this.key,
      enforceSSL: true,
    });

    // Cordon's lifecycle events (functions/core/lifecycle.ts, infra/README.md): ticketing, paging and
    // chat tools subscribe with a rule on this bus, without code. Only the functions that emit them may put.
    const lifecycle = new events.EventBus(this, 'LifecycleBus', { eventBusName: `${this.stackName}-lifecycle` });

    const fns = this.lambdas(props);
    this.functions = fns;
    this.actionRunnerRole = fns['action-runner'].role as iam.Role;
    // Explicit statements instead of CDK grants: grants add wildcard actions (kms:ReEncrypt*, s3:List* …).
    for (const fn of Object.values(fns)) {
      fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'CaseTable', actions: CASE_TABLE_ACTIONS, resources: [caseTable.tableArn, `${caseTable.tableArn}/index/${CASE_TABLE_INDEX}`] }));
      // What the handlers read (functions/handlers/aws/env.ts).
      fn.addEnvironment('CORDON_CASE_TABLE', caseTable.tableName);
      fn.addEnvironment('CORDON_AUDIT_BUCKET', auditBucket.bucketName);
      fn.addEnvironment('CORDON_AUDIT_KEY', auditKey.keyArn);
      fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'AuditSign', actions: ['kms:Sign'], resources: [auditKey.keyArn] }));
      // Audit records are create-only: no function may update or delete an item of the chain's
      // partition (functions/records/table-audit-trail.ts). PutItem stays allowed — that is how a
      // record is created (conditionally, attribute_not_exists); an overwrite by hand would still
      // fail its signature and the Object Lock checkpoints.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'AuditItemsCreateOnly',
          effect: iam.Effect.DENY,
          actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'],
          resources: [caseTable.tableArn],
          conditions: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': [AUDIT_CHAIN_PARTITION] } },
        }),
      );
      fn.addEnvironment('CORDON_TOPIC_ARN', escalation.topicArn);
      fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'AuditObjects', actions: ['s3:PutObject', 's3:GetObject'], resources: [auditBucket.arnForObjects('*')] }));
      fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'AuditListing', actions: ['s3:ListBucket'], resources: [auditBucket.bucketArn] }));
      fn.addToRolePolicy(this.keyUse());
      acknowledge(fn.role!, `AwsSolutions-IAM5[Resource::<${this.getLogicalId(auditBucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`, 'Audit records are objects keyed by incident and sequence, created at run time; Object Lock keeps them immutable.');
    }
    for (const name of ['approval', 'clock-reminder'] as const) {
      fns[name].addToRolePolicy(new iam.PolicyStatement({ sid: 'Escalate', actions: ['sns:Publish'], resources: [escalation.topicArn] }));
    }
    // Incident opened (ingest) and clock reminders (clock-reminder).
    for (const name of ['ingest', 'clock-reminder'] as const) {
      fns[name].addEnvironment('CORDON_EVENT_BUS', lifecycle.eventBusName);
      fns[name].addToRolePolicy(new iam.PolicyStatement({ sid: 'LifecycleEvents', actions: ['events:PutEvents'], resources: [lifecycle.eventBusArn] }));
    }
    this.grantResponse(fns['action-runner'], externalId.valueAsString);

    const connection = this.azureRunnerConnection();
    const substitutions: Record<AslSubstitution, string> = {
      ActionRunnerFunctionArn: fns['action-runner'].functionArn,
      ApprovalFunctionArn: fns.approval.functionArn,
      EscalationTopicArn: escalation.topicArn,
      AzureActionRunnerUrl: azureRunnerUrl.valueAsString,
      AzureRunnerConnectionArn: connection.connectionArn,
    };
    const machineRole = this.stateMachineRole(fns, escalation, connection, azureRunnerUrl.valueAsString);
    this.stateMachines = this.playbookStateMachines(props.playbooks, substitutions, machineRole);

    // Callbacks (approve/reject) may answer any Cordon state machine; a name pattern avoids a
    // dependency cycle (the machines already reference the approval function).
    fns.approval.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: [this.machineArnPattern()],
      }),
    );
    acknowledge(
      fns.approval.role!,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${this.stackName}-*]`,
      'Approval callbacks answer tasks of any Cordon playbook state machine; all are named after the stack.',
    );

    if (props.clockWatch) {
      // Its own role: the action runner starts it, so sharing the playbook role would be a dependency cycle.
      const clockRole = new iam.Role(this, 'ClockWatchRole', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com'), description: 'Cordon clock-watch state machine' });
      clockRole.addToPolicy(new iam.PolicyStatement({ sid: 'InvokeClockReminder', actions: ['lambda:InvokeFunction'], resources: [fns['clock-reminder'].functionArn] }));
      acknowledge(clockRole, 'AwsSolutions-IAM5[Resource::*]', STATE_MACHINE_WILDCARDS);
      const clockWatch = this.stateMachine(props.clockWatch, { ClockFunctionArn: fns['clock-reminder'].functionArn }, clockRole);
      // Clocks are opened when an incident is (ingest) or by the open-clock step (action runner).
      for (const name of ['ingest', 'action-runner'] as const) {
        clockWatch.grantStartExecution(fns[name]);
        fns[name].addEnvironment('CORDON_CLOCK_WATCH_ARN', clockWatch.stateMachineArn);
      }
    }

    const machinesByPlaybook = Object.fromEntries([...this.stateMachines].map(([pid, sm]) => [pid, sm.stateMachineArn]));
    fns.ingest.addEnvironment('CORDON_STATE_MACHINES', Stack.of(this).toJsonString(machinesByPlaybook));
    for (const sm of this.stateMachines.values()) sm.grantStartExecution(fns.ingest);

    this.eventRules(fns.ingest, fns['clock-reminder']);

    new CfnOutput(this, 'ActionRunnerRoleArn', {
      value: this.actionRunnerRole.roleArn,
      description: 'Parameter ActionRunnerRoleArn of the CordonResponder template in member accounts',
    });
    new CfnOutput(this, 'AzureRunnerSecretArn', { value: this.runnerSecret.secretArn, description: 'Copy its value into the Azure Key Vault secret (infra/README.md)' });
    // Decisions come only through this URL, SigV4-signed by the approver: Lambda hands the handler the
    // authenticated principal, which is what the case store and the audit log record as the approver.
    const approvalUrl = fns.approval.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    new CfnOutput(this, 'ApprovalUrl', { value: approvalUrl.url, description: 'POST approve/reject decisions here, signed (lambda:InvokeFunctionUrl) by the approver' });
    new CfnOutput(this, 'AuditBucketName', { value: auditBucket.bucketName });
    new CfnOutput(this, 'AuditKeyArn', { value: auditKey.keyArn, description: 'cordon audit verify --table: set CORDON_AUDIT_KEY to this' });
    new CfnOutput(this, 'CaseTableName', { value: caseTable.tableName });
    new CfnOutput(this, 'EscalationTopicArn', { value: escalation.topicArn });
    new CfnOutput(this, 'LifecycleBusName', { value: lifecycle.eventBusName, description: "Cordon's lifecycle events (source cordon): subscribe with a rule on this bus" });
  }

  private runnerSecret!: secretsmanager.Secret;

  /** Data-key use of the Cordon key, without the wildcard actions of `grantEncryptDecrypt`. */
  private keyUse(): iam.PolicyStatement {
    return new iam.PolicyStatement({ sid: 'CordonKey', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [this.key.keyArn] });
  }

  /** Every playbook state machine is named `<stack>-<playbook>`. */
  private machineArnPattern(): string {
    return `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:stateMachine:${this.stackName}-*`;
  }

  /** Services that write encrypted data on Cordon's behalf, each limited to its own encryption context or source. */
  private allowServicesToUseKey(): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
        },
      }),
    );
    // EventBridge writes undeliverable events to the KMS-encrypted dead-letter queue.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }

  private auditBucket(retentionDays: number | undefined): s3.Bucket {
    const days = resolveAuditRetentionDays(this, retentionDays);
    // Server access logs cannot be delivered to a KMS-CMK bucket; SSE-S3 is the supported option.
    const accessLogs = new s3.Bucket(this, 'AuditAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(Math.max(days, 365)) }],
    });
    acknowledge(accessLogs, 'AwsSolutions-S1', 'This is the server access log bucket of the audit bucket; logging it to itself would loop.');
    return new s3.Bucket(this, 'Audit', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(days)),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'audit/',
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private lambdas(props: CordonStackProps): Record<LambdaName, NodejsFunction> {
    const bundling = cdkBundling(props.projectRoot);
    const make = (name: LambdaName, asyncInvoked: boolean, timeout: Duration): NodejsFunction => {
      const logGroup = new logs.LogGroup(this, `${pascal(name)}Logs`, {
        encryptionKey: this.key,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // An explicit role keeps AWS managed policies (AWSLambdaBasicExecutionRole) out.
      const role = new iam.Role(this, `${pascal(name)}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Cordon ${name} Lambda`,
      });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      const fn = new NodejsFunction(this, pascal(name), {
        entry: join(props.projectRoot, props.lambdaEntries[name]),
        handler: 'handler',
        projectRoot: props.projectRoot,
        depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        timeout,
        role,
        logGroup,
        tracing: lambda.Tracing.ACTIVE,
        environmentEncryption: this.key,
        environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: `cordon-${name}` },
        // Asynchronous invocations that exhaust their retries land in the dead-letter queue.
        ...(asyncInvoked ? { deadLetterQueue: this.deadLetters, retryAttempts: 2 } : {}),
        // Shared with `npm run bundle` (infra/bundling.ts): the measured bundle is the deployed one.
        bundling,
      });
      acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (active tracing).');
      acknowledge(fn, 'AwsSolutions-L1', 'Node.js 22 is the runtime Cordon pins and tests on (package.json engines, DESIGN.md); moving to 24 is a deliberate upgrade.');
      return fn;
    };
    return {
      ingest: make('ingest', true, Duration.seconds(30)),
      'action-runner': make('action-runner', false, Duration.minutes(2)),
      approval: make('approval', false, Duration.seconds(30)),
      'clock-reminder': make('clock-reminder', true, Duration.minutes(1)),
    };
  }

  /** The action runner: the catalog's permissions in this account, and the responder role in member accounts. */
  private grantResponse(runner: NodejsFunction, externalId: string): void {
    const policy = new iam.Policy(this, 'ResponsePolicy', {
      statements: toPolicyStatements([...responseStatements({ partition: Aws.PARTITION, account: Aws.ACCOUNT_ID }), protectedPrincipalsDeny({ partition: Aws.PARTITION, account: Aws.ACCOUNT_ID })]),
    });
    policy.attachToRole(runner.role!);
    acknowledgeResponseWildcards(policy);
    runner.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'AssumeMemberAccountResponder',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${RESPONDER_ROLE_NAME}`],
        // Only responder roles inside this organization: a finding naming an outside account gets no credentials.
        conditions: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
      }),
    );
    acknowledge(
      runner.role!,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${RESPONDER_ROLE_NAME}]`,
      'The target account comes from the finding; every member account deploys the same CordonResponder role, which trusts only this role with an external id.',
    );
    runner.addEnvironment('CORDON_RESPONDER_ROLE', RESPONDER_ROLE_NAME);
    runner.addEnvironment('CORDON_RESPONDER_EXTERNAL_ID', externalId);
  }

  private azureRunnerConnection(): events.Connection {
    this.runnerSecret = new secretsmanager.Secret(this, 'AzureRunnerSecret', {
      description: 'Shared secret the Step Functions HTTP task presents to the Azure action runner (also in its Key Vault)',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    acknowledge(this.runnerSecret, 'AwsSolutions-SMG4', 'The secret is shared with the Azure Key Vault; rotating it is a coordinated two-cloud step documented in infra/README.md, not a Lambda rotation.');
    return new events.Connection(this, 'AzureRunnerConnection', {
      description: 'Cordon Azure action runner (HTTPS task)',
      authorization: events.Authorization.apiKey(AZURE_RUNNER_SECRET_HEADER, SecretValue.secretsManager(this.runnerSecret.secretArn)),
    });
  }

  private stateMachineRole(
    fns: Record<LambdaName, NodejsFunction>,
    escalation: sns.Topic,
    connection: events.Connection,
    azureRunnerUrl: string,
  ): iam.Role {
    const role = new iam.Role(this, 'StateMachineRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Cordon playbook state machines',
    });
    acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', STATE_MACHINE_WILDCARDS);
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'InvokeCordonLambdas', actions: ['lambda:InvokeFunction'], resources: [fns['action-runner'].functionArn, fns.approval.functionArn] }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'Escalate', actions: ['sns:Publish'], resources: [escalation.topicArn] }));
    role.addToPolicy(this.keyUse());
    // HTTP task to the Azure action runner, only to its URL and only POST.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeAzureActionRunner',
        actions: ['states:InvokeHTTPEndpoint'],
        resources: [this.machineArnPattern()],
        conditions: { StringEquals: { 'states:HTTPMethod': 'POST' }, StringLike: { 'states:HTTPEndpoint': Fn.join('', [azureRunnerUrl, '*']) } },
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['events:RetrieveConnectionCredentials'], resources: [connection.connectionArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [connection.connectionSecretArn] }),
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${this.stackName}-*]`,
      'HTTP tasks run inside any Cordon playbook state machine (named <stack>-<playbook>); listing them would be a dependency cycle. Endpoint and method are pinned by condition.',
    );
    return role;
  }

  private playbookStateMachines(
    playbooks: readonly CompiledPlaybook[],
    substitutions: Record<AslSubstitution, string>,
    role: iam.Role,
  ): Map<string, sfn.StateMachine> {
    const machines = new Map<string, sfn.StateMachine>();
    for (const playbook of playbooks) machines.set(playbook.id, this.stateMachine(playbook, substitutions, role));
    return machines;
  }

  /** One Standard state machine from compiled ASL, logged (ALL, KMS) and traced, named `<stack>-<id>`. */
  private stateMachine(compiled: CompiledPlaybook, substitutions: Record<string, string>, role: iam.Role): sfn.StateMachine {
    const logGroup = new logs.LogGroup(this, `${pascal(compiled.id)}Logs`, {
      // The vendedlogs prefix keeps the CloudWatch Logs resource policy small.
      logGroupName: `/aws/vendedlogs/states/${this.stackName}-${compiled.id}`,
      encryptionKey: this.key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return new sfn.StateMachine(this, pascal(compiled.id), {
      stateMachineName: `${this.stackName}-${compiled.id}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(compiled.definition),
      definitionSubstitutions: substitutions,
      role,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(this.key, Duration.minutes(5)),
    });
  }

  private eventRules(ingest: NodejsFunction, clockReminder: NodejsFunction): void {
    const toIngest = () => new targets.LambdaFunction(ingest, { deadLetterQueue: this.deadLetters, retryAttempts: 8, maxEventAge: Duration.hours(2) });
    new events.Rule(this, 'GuardDutyFindings', {
      description: 'GuardDuty findings to Cordon ingest',
      eventPattern: { source: ['aws.guardduty'], detailType: ['GuardDuty Finding'] },
      targets: [toIngest()],
    });
    new events.Rule(this, 'SecurityHubImported', {
      description: 'Security Hub imported findings to Cordon ingest',
      // Only AWS-owned products' findings (the trust step's list, DESIGN.md §4): anyone with
      // BatchImportFindings can import under their own product, and those never reach Cordon by themselves.
      eventPattern: {
        source: ['aws.securityhub'],
        detailType: ['Security Hub Findings - Imported'],
        detail: { findings: { ProductArn: DEFAULT_TRUSTED_PRODUCTS.map((p) => ({ wildcard: `arn:aws*:securityhub:*::product/aws/${p}` })) } },
      },
      targets: [toIngest()],
    });
    const action = new securityhub.CfnActionTarget(this, 'ContainAction', {
      id: 'CordonContain',
      name: 'Contain with Cordon',
      description: 'Send the selected findings to Cordon for containment',
    });
    new events.Rule(this, 'SecurityHubCustomAction', {
      description: 'Security Hub "Contain with Cordon" custom action to Cordon ingest',
      eventPattern: { source: ['aws.securityhub'], detailType: ['Security Hub Findings - Custom Action'], resources: [action.attrActionTargetArn] },
      targets: [toIngest()],
    });
    new events.Rule(this, 'ClockReminders', {
      description: 'Cordon regulatory clock reminders',
      schedule: events.Schedule.rate(Duration.minutes(15)),
      targets: [new targets.LambdaFunction(clockReminder, { deadLetterQueue: this.deadLetters, retryAttempts: 2 })],
    });
  }
}

/** The prop, else context `cordon:auditRetentionDays`, else 365. */
export function resolveAuditRetentionDays(scope: Construct, prop?: number): number {
  if (prop !== undefined) return prop;
  const raw: unknown = scope.node.tryGetContext(CONTEXT_AUDIT_RETENTION_DAYS);
  if (raw === undefined) return DEFAULT_AUDIT_RETENTION_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(`context ${CONTEXT_AUDIT_RETENTION_DAYS}: must be a positive whole number of days, got '${String(raw)}'`);
  }
  return days;
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}
