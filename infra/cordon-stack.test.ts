import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCordonApp, PROJECT_ROOT } from './app.js';
import type { CordonStack } from './cordon-stack.js';
import { CONTEXT_AUDIT_RETENTION_DAYS, RESPONDER_ROLE_NAME, resolveAuditRetentionDays } from './cordon-stack.js';
import { LAMBDA_NAMES } from './lambdas.js';
import { catalogAwsPermissions, IAM_WRITES } from './permissions.js';
import { DEFAULT_TRUSTED_PRODUCTS } from '../functions/core/trust/trust.js';
import { ISOLATION_TAG } from '../functions/core/actions/catalog.js';
import { FIXED_PLAYBOOK_IDS } from './playbook-asl.js';
import { caseTableDefinition } from '../functions/records/dynamo-case-store.js';

// One synthesis shared by every test: the real esbuild bundling of a small fixture handler,
// the hand-written fixture ASL for two playbooks, and cdk-nag AwsSolutions as a validation plugin.
const FIXTURE_HANDLER = 'infra/test-fixtures/handler.ts';
const FIXTURE_ASL = join(PROJECT_ROOT, 'infra/test-fixtures/asl');

let app: App;
let cordon: CordonStack;
let assembly: CloudAssembly;
let template: Template;
let responder: Template;

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Sid?: string };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function statementsOf(t: Template, logicalIdPrefix?: string): Statement[] {
  const policies = t.findResources('AWS::IAM::Policy') as Resources;
  return Object.entries(policies)
    .filter(([id]) => !logicalIdPrefix || id.startsWith(logicalIdPrefix))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const unique = (xs: string[]) => [...new Set(xs)].sort();

beforeAll(() => {
  const built = buildCordonApp({
    aslDir: FIXTURE_ASL,
    playbooksDir: join(PROJECT_ROOT, 'infra/test-fixtures/no-playbooks'),
    lambdaEntries: Object.fromEntries(LAMBDA_NAMES.map((n) => [n, FIXTURE_HANDLER])) as Record<(typeof LAMBDA_NAMES)[number], string>,
    appProps: { outdir: mkdtempSync(join(tmpdir(), 'cordon-cdk-')) },
  });
  app = built.app;
  cordon = built.cordon;
  // Throws "Validation failed" if cdk-nag reports any unacknowledged finding.
  assembly = app.synth();
  template = Template.fromStack(cordon);
  responder = Template.fromStack(built.responder);
}, 120_000);

describe('the pinned CDK CLI (package.json aws-cdk) reads the cloud assembly this aws-cdk-lib writes', () => {
  // The README's deploy path runs `npx cdk … --app cdk.out` on what `npm run synth` wrote. A CLI older
  // than the assembly's schema refuses it ("Maximum schema version supported is 43.x.x, but found
  // 55.0.0"): listing the stacks with the repository's own CLI, offline, catches that here.
  it('`cdk ls --app <assembly>` lists both stacks, offline, with no account', async () => {
    const out = await new Promise<{ stdout: string; stderr: string; code: number }>((done) => {
      execFile(
        join(PROJECT_ROOT, 'node_modules/.bin/cdk'),
        ['ls', '--app', assembly.directory, '--no-notices', '--no-version-reporting'],
        {
          cwd: PROJECT_ROOT,
          timeout: 50_000,
          // No version check, no telemetry, no credentials or region from the machine: nothing may reach a network.
          env: { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'cordon-cdk-home-')), CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1' },
        },
        (error, stdout, stderr) => done({ stdout, stderr, code: error ? Number((error as { code?: number }).code ?? 1) : 0 }),
      );
    });
    expect(out.stderr).not.toMatch(/not compatible|Maximum schema version/);
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n').filter(Boolean).sort()).toEqual(['Cordon', 'CordonResponder']);
  }, 60_000);
});

describe('Cordon stack', () => {
  it('passes cdk-nag AwsSolutions with zero unacknowledged findings, each acknowledgement with a reason', () => {
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };
    // The report lists only plugins that found something.
    expect(report.pluginReports.filter((r) => r.conclusion !== 'success')).toEqual([]);
    const acks = [cordon, ...cordon.node.findAll()].flatMap((c) =>
      c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.entries(m.data as Record<string, string>)),
    );
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) expect(reason.length, id).toBeGreaterThan(30);
  });

  it('fails the synth on an unacknowledged cdk-nag finding (the checks are live)', () => {
    const bare = new App({ outdir: mkdtempSync(join(tmpdir(), 'cordon-nag-')) });
    new Queue(new Stack(bare, 'Bare'), 'Unencrypted', { encryption: QueueEncryption.UNENCRYPTED });
    Validations.of(bare).addPlugins(new AwsSolutionsChecks(bare));
    expect(() => bare.synth()).toThrow(/AwsSolutions-SQS/);
  });

  it('routes GuardDuty findings and Security Hub Imported and Custom Action events to ingest', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.securityhub'],
        'detail-type': ['Security Hub Findings - Imported'],
        // The trust step's product list: a finding imported under a customer product never triggers Cordon by itself.
        detail: { findings: { ProductArn: DEFAULT_TRUSTED_PRODUCTS.map((p) => ({ wildcard: `arn:aws*:securityhub:*::product/aws/${p}` })) } },
      },
    });
    template.hasResourceProperties('AWS::SecurityHub::ActionTarget', { Name: 'Contain with Cordon', Id: 'CordonContain' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.securityhub'],
        'detail-type': ['Security Hub Findings - Custom Action'],
        resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ContainAction'), 'ActionTargetArn'] }],
      },
    });
  });

  it('gives every rule target and every asynchronously invoked Lambda the dead-letter queue', () => {
    const dlq = { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetters'), 'Arn'] };
    const rules = template.findResources('AWS::Events::Rule') as Resources;
    expect(Object.keys(rules)).toHaveLength(4);
    for (const rule of Object.values(rules)) {
      for (const target of rule.Properties.Targets as { DeadLetterConfig?: unknown; RetryPolicy?: unknown }[]) {
        expect(target.DeadLetterConfig).toEqual({ Arn: expect.anything() });
        expect(target.RetryPolicy).toBeDefined();
      }
    }
    const fns = template.findResources('AWS::Lambda::Function') as Resources;
    const withDlq = Object.entries(fns).filter(([, f]) => f.Properties.DeadLetterConfig !== undefined).map(([id]) => id);
    expect(withDlq.sort()).toEqual([expect.stringMatching(/^ClockReminder/), expect.stringMatching(/^Ingest/)]);
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: { TargetArn: dlq } });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });

  it('deploys one Standard state machine per compiled playbook, with the substitutions, logging and tracing', () => {
    const machines = Object.fromEntries(
      Object.entries(template.findResources('AWS::StepFunctions::StateMachine') as Resources).filter(([id]) => !id.startsWith('ClockWatch')),
    );
    expect(Object.keys(machines)).toHaveLength(2);
    expect([...cordon.stateMachines.keys()].sort()).toEqual(['aws-ec2-compromise', 'azure-vm-compromise']);
    for (const m of Object.values(machines)) {
      expect(m.Properties.StateMachineType).toBe('STANDARD');
      expect(m.Properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(m.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
      expect(Object.keys(m.Properties.DefinitionSubstitutions as object).sort()).toEqual([
        'ActionRunnerFunctionArn',
        'ApprovalFunctionArn',
        'AzureActionRunnerUrl',
        'AzureRunnerConnectionArn',
        'EscalationTopicArn',
      ]);
    }
    const ec2 = Object.values(machines).find((m) => JSON.stringify(m.Properties.StateMachineName).includes('aws-ec2-compromise'));
    const asl = readFileSync(join(FIXTURE_ASL, 'aws-ec2-compromise.asl.json'), 'utf8');
    expect(ec2?.Properties.DefinitionString).toBe(asl);
  });

  it('deploys the clock-watch machine calling the clock-reminder Lambda, startable by ingest and the action runner', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'Cordon-clock-watch',
      DefinitionSubstitutions: { ClockFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClockReminder'), 'Arn'] } },
    });
    for (const role of ['IngestRole', 'ActionRunnerRole']) {
      const start = statementsOf(template, role).filter((s) => actionsOf(s).includes('states:StartExecution'));
      expect(JSON.stringify(start), role).toMatch(/ClockWatch/);
    }
  });

  it('puts lifecycle events on its own bus: only ingest and clock-reminder may, only there, and are told its name', () => {
    const buses = template.findResources('AWS::Events::EventBus') as Resources;
    expect(Object.values(buses).map((b) => b.Properties.Name)).toEqual(['Cordon-lifecycle']);
    const [busId] = Object.keys(buses);
    const policies = template.findResources('AWS::IAM::Policy') as Resources;
    const putters = Object.entries(policies)
      .filter(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some((st) => actionsOf(st).some((a) => a.startsWith('events:Put'))))
      .map(([id]) => id.replace(/DefaultPolicy.*$/, ''));
    expect(putters.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ClockReminderRole', 'IngestRole']);
    for (const role of ['IngestRole', 'ClockReminderRole']) {
      const put = statementsOf(template, role).filter((st) => actionsOf(st).includes('events:PutEvents'));
      expect(put, role).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } })]);
    }
    const fnsWithBus = Object.entries(template.findResources('AWS::Lambda::Function') as Resources)
      .filter(([, f]) => (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.CORDON_EVENT_BUS !== undefined)
      .map(([id, f]) => [id.replace(/[0-9A-F]{8}$/, ''), (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables.CORDON_EVENT_BUS]);
    expect(fnsWithBus.sort()).toEqual([
      ['ClockReminder', { Ref: busId }],
      ['Ingest', { Ref: busId }],
    ]);
  });

  it('reports every playbook whose compiled ASL is missing as a synth error and deploys no invented one', () => {
    const errors = assembly.getStackByName('Cordon').messages.filter((m) => m.level === 'error').map((m) => String(m.entry.data));
    const missing = FIXED_PLAYBOOK_IDS.filter((id) => id !== 'aws-ec2-compromise' && id !== 'azure-vm-compromise');
    expect(errors).toHaveLength(missing.length);
    for (const id of missing) expect(errors.some((e) => e.includes(`${id}.asl.json: missing`))).toBe(true);
  });

  it('keeps the audit log in a versioned, TLS-only Object Lock bucket in COMPLIANCE mode for 365 days, with access logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue() },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('encrypts with one customer-managed key with rotation on: table (the case store layout, PITR), topic, logs', () => {
    // One encryption key; the only other key is the audit signing key (asymmetric, SIGN_VERIFY).
    const keys = Object.values(template.findResources('AWS::KMS::Key') as Resources);
    const encryption = keys.filter((k) => k.Properties.KeyUsage === undefined);
    expect(encryption).toHaveLength(1);
    expect(encryption[0]?.Properties.EnableKeyRotation).toBe(true);
    expect(keys.filter((k) => k.Properties.KeyUsage !== undefined).map((k) => k.Properties.KeyUsage)).toEqual(['SIGN_VERIFY']);
    // Exactly what DynamoCaseStore reads and writes (its own table definition).
    const layout = caseTableDefinition('cases');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: layout.KeySchema,
      AttributeDefinitions: Match.arrayWith(layout.AttributeDefinitions!.map((d) => Match.objectLike(d))),
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: layout.GlobalSecondaryIndexes![0]!.IndexName, KeySchema: layout.GlobalSecondaryIndexes![0]!.KeySchema, Projection: { ProjectionType: 'ALL' } })],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup') as Resources)) {
      expect(group.Properties.KmsKeyId).toBeDefined();
    }
  });

  it('gives every Lambda the records it reads (functions/handlers/aws/env.ts)', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter((f) => f.Properties.Runtime === 'nodejs22.x');
    expect(fns).toHaveLength(4);
    for (const fn of fns) {
      const vars = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(vars)).toEqual(expect.arrayContaining(['CORDON_CASE_TABLE', 'CORDON_AUDIT_BUCKET', 'CORDON_TOPIC_ARN']));
    }
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ CORDON_STATE_MACHINES: Match.anyValue() }) } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ CORDON_RESPONDER_ROLE: 'CordonResponder', CORDON_RESPONDER_EXTERNAL_ID: Match.anyValue() }) } });
  });

  it('signs the audit chain with a KMS Ed25519 key the functions may only Sign with, and denies them changing or deleting audit items', () => {
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    const fns = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter((f) => f.Properties.Runtime === 'nodejs22.x');
    for (const fn of fns) expect(Object.keys((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables)).toContain('CORDON_AUDIT_KEY');
    const statements = Object.values(template.findResources('AWS::IAM::Policy') as Resources).flatMap((p) => (p.Properties.PolicyDocument as { Statement: { Sid?: string; Effect: string; Action: string | string[]; Condition?: unknown }[] }).Statement);
    const sign = statements.filter((st) => st.Sid === 'AuditSign');
    expect(sign).toHaveLength(4);
    for (const st of sign) expect(st.Action).toBe('kms:Sign');
    const deny = statements.filter((st) => st.Sid === 'AuditItemsCreateOnly');
    expect(deny).toHaveLength(4);
    for (const st of deny) {
      expect(st.Effect).toBe('Deny');
      expect(st.Action).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']));
      expect(st.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': ['INC#audit-chain'] } });
    }
    // No function is allowed anything else on the signing key (no GetPublicKey, no key policy changes).
    const onKey = statements.filter((st) => JSON.stringify(st.Action).includes('kms:') && st.Sid !== 'CordonKey' && st.Effect === 'Allow' && st.Sid !== undefined && st.Sid.startsWith('Audit'));
    expect(onKey.every((st) => st.Action === 'kms:Sign')).toBe(true);
  });

  it('runs every Lambda on nodejs22.x, ARM64, traced, from a bundled ESM asset', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
    expect(fns).toHaveLength(4);
    for (const fn of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Handler).toBe('index.handler');
    }
    const bundle = readFileSync(join(assembly.directory, `asset.${assetHash(fns[0]!)}`, 'index.mjs'), 'utf8');
    expect(bundle).toContain('createRequire');
    expect(bundle).toMatch(/export\s*\{/);
  });

  it('has no IAM statement with Action "*" or a service-wide wildcard', () => {
    const all = [...statementsOf(template), ...statementsOf(responder)];
    expect(all.length).toBeGreaterThan(0);
    for (const s of all) for (const a of actionsOf(s)) expect(a).not.toMatch(/(^\*$)|(:\*$)/);
  });

  it('gives the action runner exactly the catalog\'s AWS permissions, plus sts:AssumeRole on the member-account responder', () => {
    const response = statementsOf(template, 'ResponsePolicy').filter((s) => s.Effect === 'Allow');
    expect(unique(response.flatMap(actionsOf))).toEqual(catalogAwsPermissions());
    const runner = statementsOf(template, 'ActionRunnerRole');
    const assume = runner.find((s) => actionsOf(s).includes('sts:AssumeRole'));
    expect(assume?.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${RESPONDER_ROLE_NAME}`]] });
    // The response policy is attached to the action runner only.
    const policy = Object.values(template.findResources('AWS::IAM::Policy') as Resources).find((p) =>
      JSON.stringify(p.Properties.PolicyName).startsWith('"ResponsePolicy'),
    );
    expect(policy?.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^ActionRunnerRole/) }]);
  });

  it("denies the runner and every member-account responder any IAM write on Cordon's own roles and the protected principals", () => {
    for (const [name, statements] of [['runner', statementsOf(template, 'ResponsePolicy')], ['responder', statementsOf(responder)]] as const) {
      const deny = statements.find((s) => s.Effect === 'Deny');
      expect(deny, name).toBeDefined();
      expect(actionsOf(deny as Statement)).toEqual(IAM_WRITES);
      // Every IAM action the catalog grants is covered by one of the denied prefixes.
      for (const granted of catalogAwsPermissions().filter((a) => a.startsWith('iam:') && !/^iam:(Get|List)/.test(a))) {
        expect(IAM_WRITES.some((w) => granted.startsWith(w.slice(0, -1))), granted).toBe(true);
      }
      const resources = JSON.stringify(deny?.Resource);
      for (const p of ['role/Cordon*', 'role/cordon-*', 'role/OrganizationAccountAccessRole', 'role/*break-glass*', 'user/*break-glass*']) expect(resources, `${name} ${p}`).toContain(p);
    }
  });

  it('takes approval decisions only through an IAM-authenticated function URL of the approval Lambda', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Approval[0-9A-F]{8}$'), 'Arn'] } });
    expect(Object.values(template.findResources('AWS::Lambda::Url') as Resources).map((u) => u.Properties['AuthType'])).toEqual(['AWS_IAM']);
  });

  it('assumes member-account responders only inside its own organization', () => {
    const assume = statementsOf(template, 'ActionRunnerRole').find((s) => actionsOf(s).includes('sts:AssumeRole')) as Statement & { Condition?: unknown };
    expect(assume.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } });
  });

  it('limits rule changes to the tagged isolation group', () => {
    const revoke = statementsOf(template, 'ResponsePolicy').filter((s) => actionsOf(s).some((a) => a.startsWith('ec2:RevokeSecurityGroup'))) as (Statement & {
      Condition?: unknown;
    })[];
    expect(revoke).toHaveLength(1);
    expect(revoke[0]?.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${ISOLATION_TAG.key}`]: ISOLATION_TAG.value } });
  });

  it('lets the state machines call the Azure runner only by POST to its URL through the connection', () => {
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-cordon-runner-secret', ApiKeyValue: Match.anyValue() } },
    });
    const http = statementsOf(template, 'StateMachineRole').find((s) => actionsOf(s).includes('states:InvokeHTTPEndpoint')) as Statement & {
      Condition: unknown;
    };
    expect(http.Condition).toEqual({
      StringEquals: { 'states:HTTPMethod': 'POST' },
      StringLike: { 'states:HTTPEndpoint': { 'Fn::Join': ['', [{ Ref: 'AzureActionRunnerUrl' }, '*']] } },
    });
  });
});

describe('audit retention', () => {
  it('comes from the prop, else the context value, else 365 days', () => {
    const withContext = new App({ context: { [CONTEXT_AUDIT_RETENTION_DAYS]: '2555' } });
    expect(resolveAuditRetentionDays(new App())).toBe(365);
    expect(resolveAuditRetentionDays(withContext)).toBe(2555);
    expect(resolveAuditRetentionDays(withContext, 30)).toBe(30);
    expect(() => resolveAuditRetentionDays(new App({ context: { [CONTEXT_AUDIT_RETENTION_DAYS]: 'a year' } }))).toThrow(/cordon:auditRetentionDays/);
  });
});

describe('member-account responder role template', () => {
  it('defines CordonResponder, trusted by the action-runner role with an external id, with the catalog permissions', () => {
    responder.hasResourceProperties('AWS::IAM::Role', {
      RoleName: RESPONDER_ROLE_NAME,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { Ref: 'ActionRunnerRoleArn' } },
            Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
          },
        ],
      },
    });
    expect(unique(statementsOf(responder).filter((s) => s.Effect === 'Allow').flatMap(actionsOf))).toEqual(catalogAwsPermissions());
  });

  it('is StackSet-ready: no bootstrap version rule, no assets', () => {
    const json = responder.toJSON() as { Parameters: Record<string, unknown>; Rules?: unknown };
    expect(Object.keys(json.Parameters).sort()).toEqual(['ActionRunnerRoleArn', 'ExternalId']);
    expect(json.Rules).toBeUndefined();
    expect(assembly.getStackByName('CordonResponder').assets).toEqual([]);
  });
});

function assetHash(fn: { Properties: Record<string, unknown> }): string {
  const key = (fn.Properties.Code as { S3Key: string }).S3Key;
  return key.replace(/\.zip$/, '');
}
