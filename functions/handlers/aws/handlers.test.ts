import type { TableAuditTrail } from '../../records/table-audit-trail.js';
import { canonicalJson, sha256Hex } from '../../core/canonical-json.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestValue } from '../../core/findings/ingest.js';
import { DynamoCaseStore } from '../../records/dynamo-case-store.js';
import { applyAwsSeed, createAwsEstate, createAwsSimServices, seedFromFinding } from '../../sim/aws/index.js';
import { DynamoDbSimService } from '../../../test/support/sim/dynamodb.js';
import { createStepFunctionsSimService } from '../../../test/support/sim/stepfunctions.js';
import { startSimServer, type RunningSimServer } from '../../sim/server.js';
import { stepsOf, type WorkflowInput } from '../../../workflows/input.js';
import { handler as actionRunner } from './action-runner.js';
import { handler as approval } from './approval.js';
import { handler as ingest } from './ingest.js';
import { sendDueReminders } from './clock-reminder.js';
import { S3AuditSink } from '../../adapters/aws/s3-audit-sink.js';
import { s3ObjectPuts, stsAssumeRole, type RecordedAssumeRole, type RecordedPut } from '../../../test/support/handlers/aws-services.js';
import { PUBLIC_FIXTURES } from '../../../test/support/public-fixtures.js';
import { EventBridgeReceiver } from '../../../test/support/sim/lifecycle.js';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { eventBridgePublisher } from '../../adapters/aws/lifecycle-events.js';
import { bestEffort } from '../lifecycle.js';

/**
 * The Lambda handlers invoked as Lambda invokes them (event + context), against the simulated
 * estate over loopback: DynamoDB for the case store, Step Functions, S3 and Security Hub.
 * Public fixtures (Security Hub ASR simulation data, GuardDuty samples) are wrapped as the
 * EventBridge events the rules deliver.
 */
// Before the handler modules load: Powertools reads these when its logger and metrics are built.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

// The project's copies of the public samples (test/fixtures/public; sources in its SOURCES.md).
const PUBLIC = PUBLIC_FIXTURES;
const ACCOUNT = '111111111111';
const MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:Cordon-aws-s3-data-exposure`;
const EC2_MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:Cordon-aws-ec2-compromise`;
const TABLE = 'cordon-cases';

const sfnService = createStepFunctionsSimService();
const BUS = 'cordon-lifecycle';
const bus = new EventBridgeReceiver([BUS]);
const sfn = sfnService.state;
let server: RunningSimServer;
let store: DynamoCaseStore;
const puts: RecordedPut[] = [];
const assumed: RecordedAssumeRole[] = [];

function context(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `cordon-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:cordon-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${name}-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/cordon-${name}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** A Security Hub finding as EventBridge delivers it (`Security Hub Findings - Imported`). */
function securityHubEvent(finding: Record<string, unknown>, id: string): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account: ACCOUNT,
    time: '2024-05-01T10:00:00Z',
    region: 'us-east-1',
    resources: [String(finding.ProductArn)],
    detail: { findings: [finding] },
  };
}

const s3Finding = readJson(join(PUBLIC, 'securityhub/asr-simdata-afsbp-s3.8.json')) as Record<string, unknown>;

beforeAll(async () => {
  const aws = createAwsEstate();
  const ingested = ingestValue(s3Finding, 'fixture');
  for (const f of ingested.findings) applyAwsSeed(aws, seedFromFinding(f.finding));
  server = await startSimServer({
    services: [s3ObjectPuts(puts), stsAssumeRole(assumed), ...createAwsSimServices(aws), new DynamoDbSimService(), sfnService, bus],
    faults: [{ operation: 'securityhub:BatchUpdateFindings', kind: 'throttle' }],
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: server.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIACORDONSIMULATED',
    AWS_SECRET_ACCESS_KEY: 'cordon-simulated-estate',
    CORDON_CASE_TABLE: TABLE,
    CORDON_AUDIT_BUCKET: 'cordon-audit',
    CORDON_RESPONDER_ROLE: 'CordonResponder',
    CORDON_RESPONDER_EXTERNAL_ID: 'ext-0123456789',
    CORDON_HOME: mkdtempSync(join(tmpdir(), 'cordon-lambda-')),
    CORDON_STATE_MACHINES: JSON.stringify({ 'aws-s3-data-exposure': MACHINE, 'aws-ec2-compromise': EC2_MACHINE }),
    CORDON_EVENT_BUS: BUS,
  });
  const client = new DynamoDBClient({ endpoint: server.url, region: 'us-east-1' });
  await DynamoCaseStore.createTable(client, TABLE);
  store = new DynamoCaseStore({ client, tableName: TABLE });
});

afterAll(async () => {
  await server.close();
});

describe('ingest Lambda', () => {
  it('starts exactly one execution per incident, named after it; a redelivery starts nothing more', async () => {
    const first = await ingest(securityHubEvent(s3Finding, 'evt-1'), context('ingest'));
    expect(first.rejected).toEqual([]);
    expect(first.incidents).toHaveLength(1);
    const [incident] = first.incidents;
    expect(incident).toMatchObject({ playbook: 'aws-s3-data-exposure', outcome: 'started', created: true });
    expect(sfn.executionsOf(MACHINE)).toHaveLength(1);
    const execution = sfn.executionsOf(MACHINE)[0]!;
    expect(execution.name).toBe(incident!.incidentId);
    const input = JSON.parse(execution.input) as WorkflowInput;
    expect(input.incident).toMatchObject({ id: incident!.incidentId, playbook: 'aws-s3-data-exposure', mode: 'automatic' });
    // S3.8 is a posture finding on an unclassified bucket: an assessment, no clock (DESIGN.md §5).
    expect(stepsOf(input).map((s) => s.action).sort()).toEqual(['block-s3-public-access', 'update-finding']);
    expect((await store.getIncident(incident!.incidentId))?.playbook).toBe('aws-s3-data-exposure');

    // Redelivered while the execution runs: Step Functions answers idempotently, nothing new starts.
    const again = await ingest(securityHubEvent(s3Finding, 'evt-2'), context('ingest'));
    expect(again.incidents[0]).toMatchObject({ incidentId: incident!.incidentId, created: false, executionArn: execution.executionArn });
    expect(sfn.executionsOf(MACHINE)).toHaveLength(1);

    // Redelivered after the execution closed: Step Functions refuses the name (ExecutionAlreadyExists).
    sfn.succeed(execution.executionArn, {});
    const late = await ingest(securityHubEvent(s3Finding, 'evt-3'), context('ingest'));
    expect(late.incidents[0]).toMatchObject({ outcome: 'duplicate', created: false, executionArn: execution.executionArn });
    expect(sfn.executionsOf(MACHINE)).toHaveLength(1);
    expect(server.calls.filter((c) => c.operation === 'states:StartExecution').map((c) => c.status)).toEqual([200, 200, 400]);

    // One Cordon.Incident.Opened on the lifecycle bus for the new incident; the redeliveries open nothing.
    const opened = bus.received.filter((e) => (e.Detail as { incident?: string }).incident === incident!.incidentId);
    expect(opened.map((e) => [e.EventBusName, e.Source, e.DetailType])).toEqual([[BUS, 'cordon', 'Cordon.Incident.Opened']]);
    expect(opened[0]!.Detail).toMatchObject({ playbook: 'aws-s3-data-exposure', steps: { contain: 1, notify: 1 }, finding: { source: 'securityhub', cloud: 'aws' } });
  });

  it('records a GuardDuty sample finding but starts nothing', async () => {
    const event = readJson(join(PUBLIC, 'guardduty/sample-UnauthorizedAccess.EC2-SSHBruteForce.eventbridge.json'));
    const out = await ingest(event, context('ingest'));
    expect(out.incidents).toHaveLength(1);
    expect(out.incidents[0]).toMatchObject({ playbook: 'aws-ec2-compromise', outcome: 'no-action' });
    expect(out.incidents[0]!.skipped.join('\n')).toContain('sample-finding');
    expect(sfn.executionsOf(EC2_MACHINE)).toEqual([]);
    expect(await store.getIncident(out.incidents[0]!.incidentId)).toBeDefined();
  });

  it('rejects a bad event naming the field, and keeps it in the audit trail', async () => {
    const event = readJson(join(import.meta.dirname, '../../../test/fixtures/bad/missing-detail-id.eventbridge.json'));
    const out = await ingest(event, context('ingest'));
    expect(out.incidents).toEqual([]);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.reason).toMatch(/detail\.id/);
    // The deployment's one chain, in the case table.
    const chain = await ((await import('./runtime.js')).cloudRecords().audit as TableAuditTrail).records();
    const kept = chain.at(-1) as unknown as { event: string; incident: null; data: { rejected: unknown[]; event: { sha256: string; bytes: number; first: string; truncated: boolean } } };
    expect(kept).toMatchObject({ event: 'ingest', incident: null });
    // Kept as its hash, size and first bytes: here the whole event fits in them.
    expect(JSON.parse(kept.data.event.first)).toEqual(event);
    expect(kept.data.event).toMatchObject({ bytes: JSON.stringify(event).length, truncated: false });
  });

  it('keeps a huge refused event as its hash, size and first 64 KB, never whole', async () => {
    const event = { version: '0', source: 'aws.guardduty', detail: { padding: 'x'.repeat(3 * 1024 * 1024) } };
    const out = await ingest(event, context('ingest'));
    expect(out.rejected).toHaveLength(1);
    const chain = await ((await import('./runtime.js')).cloudRecords().audit as TableAuditTrail).records();
    const kept = chain.at(-1) as unknown as { data: { event: { sha256: string; bytes: number; first: string; truncated: boolean } } };
    expect(kept.data.event).toMatchObject({ sha256: sha256Hex(JSON.stringify(event)), bytes: JSON.stringify(event).length, truncated: true });
    expect(Buffer.byteLength(kept.data.event.first)).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThan(400 * 1024);
  });

  it('rejects an event that is not an EventBridge envelope, naming the field', async () => {
    const out = await ingest({ source: 'aws.guardduty', detail: {} }, context('ingest'));
    expect(out.rejected[0]!.reason).toMatch(/^not an EventBridge event: version: /);
  });
});

describe('action-runner Lambda', () => {
  async function stepOf(action: string) {
    const execution = sfn.executionsOf(MACHINE)[0]!;
    const input = JSON.parse(execution.input) as WorkflowInput;
    return stepsOf(input).find((s) => s.action === action)!;
  }

  it('runs an action against the estate and records the step', async () => {
    const step = await stepOf('block-s3-public-access');
    const result = await actionRunner(step, context('action-runner'));
    expect(result.status).toBe('succeeded');
    expect(server.callsFor(`${step.incidentId}/${step.stepId}`).map((c) => c.operation)).toContain('s3:PutPublicAccessBlock');
    expect(await store.getStep(step.incidentId, step.stepId)).toMatchObject({ status: 'succeeded' });
    // Redelivered Task: the claim says it is done; nothing is applied twice.
    const again = await actionRunner(step, context('action-runner'));
    expect(again).toMatchObject({ status: 'skipped', reason: 'already-done' });
  });

  it('throws Cordon.Throttled when the cloud keeps throttling', async () => {
    const step = await stepOf('update-finding');
    const error = await actionRunner(step, context('action-runner')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('Cordon.Throttled');
    expect(await store.getStep(step.incidentId, step.stepId)).toMatchObject({ status: 'failed', errorClass: 'Throttled' });
  });

  it('assumes CordonResponder with the external id when the target account is not its own', async () => {
    const step = await stepOf('block-s3-public-access');
    const runner = { ...context('action-runner'), invokedFunctionArn: 'arn:aws:lambda:us-east-1:999999999999:function:cordon-action-runner' };
    const result = await actionRunner(step, runner);
    expect(result).toMatchObject({ status: 'skipped', reason: 'already-done' });
    // Already done: no cloud call needed, so no role either.
    expect(assumed).toEqual([]);
    const fresh = { ...step, stepId: `${step.stepId}#again` };
    await actionRunner(fresh, runner);
    expect(assumed).toEqual([{ roleArn: `arn:aws:iam::${ACCOUNT}:role/CordonResponder`, externalId: 'ext-0123456789', sessionName: `cordon-${step.incidentId}` }]);
    const calls = server.callsFor(`${fresh.incidentId}/${fresh.stepId}`);
    expect(calls.map((c) => c.operation)).toContain('s3:GetPublicAccessBlock');
  });

  it('refuses a malformed payload naming the field', async () => {
    const error = await actionRunner({ incidentId: 'inc-0000000000000000' }, context('action-runner')).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/stepId/);
  });
});

/** A decision as the approval function URL (AuthType AWS_IAM) delivers it: Lambda writes the authenticated principal. */
const APPROVER = 'arn:aws:sts::111122223333:assumed-role/OnCall/alice';
const signedDecision = (decision: Record<string, string>) => ({
  requestContext: { authorizer: { iam: { userArn: APPROVER, accountId: '111122223333' } }, http: { method: 'POST' } },
  body: Buffer.from(JSON.stringify(decision)).toString('base64'),
  isBase64Encoded: true,
});

describe('approval Lambda', () => {
  it('stores the task token, then answers it with SendTaskSuccess on a decision', async () => {
    const execution = sfn.executionsOf(MACHINE)[0]!;
    // A fresh open execution stands in for the one waiting at the approval Task.
    const { execution: waiting } = sfn.start(MACHINE, 'approval-test', execution.input);
    const token = sfn.waitForToken(waiting.executionArn, 'block_s3_public_access: request approval');
    const incidentId = JSON.parse(execution.input).incident.id as string;
    const stepId = 'block-s3-public-access:arn:aws:s3:::example';

    const requested = await approval({ taskToken: token, incidentId, stepId, action: 'block-s3-public-access', target: { type: 'AwsS3Bucket', id: 'arn:aws:s3:::example' }, timeoutSeconds: 3600 }, context('approval'));
    expect(requested).toMatchObject({ kind: 'requested', created: true });
    expect(sfn.tasks.get(token)?.status).toBe('waiting');

    // Twin: the same decision by direct invoke carries no identity and is refused.
    await expect(approval({ decision: 'reject', incidentId, stepId, by: 'alice', reason: 'production freeze' }, context('approval'))).rejects.toThrow(/approval URL.*AWS_IAM/);
    const decided = await approval(signedDecision({ decision: 'reject', incidentId, stepId, by: 'alice', reason: 'production freeze' }), context('approval'));
    expect(decided).toMatchObject({ kind: 'decided', status: 'rejected' });
    const records = await ((await import('./runtime.js')).cloudRecords().audit as TableAuditTrail).records();
    expect(records.find((r) => r.event === 'approval.rejected')?.data).toMatchObject({ by: `alice (${APPROVER})`, principal: APPROVER });
    expect(sfn.tasks.get(token)).toMatchObject({ status: 'succeeded', output: { approved: false, reason: 'production freeze' } });
    expect(waiting.history.at(-1)?.type).toBe('TaskSucceeded');
  });

  it('refuses a rejection without a reason', async () => {
    await expect(approval(signedDecision({ decision: 'reject', incidentId: 'inc-0000000000000000', stepId: 'x', by: 'bob' }), context('approval'))).rejects.toThrow(/reason/);
  });
});

describe('audit mirror', () => {
  it('writes every audit record to the Object Lock bucket as its canonical JSON', async () => {
    expect(puts.length).toBeGreaterThan(0);
    const chain = await ((await import('./runtime.js')).cloudRecords().audit as TableAuditTrail).records();
    const last = chain.at(-1)!;
    const mirrored = puts.find((p) => p.key === S3AuditSink.keyOf(last));
    expect(mirrored).toMatchObject({ bucket: 'cordon-audit', body: canonicalJson(last) });
    // Every function instance extends the same chain: it verifies as one log.
    expect(chain.map((r) => r.seq)).toEqual(chain.map((_, i) => i + 1));
    expect(puts.every((p) => p.bucket === 'cordon-audit' && (p.key.startsWith('audit/') || p.key.startsWith('checkpoints/')))).toBe(true);
    // Every 16 records, a signed checkpoint of their hashes goes beside them.
    const checkpoints = puts.filter((p) => p.key.startsWith('checkpoints/')).map((p) => JSON.parse(p.body) as { from: number; to: number; hashes: string[] });
    expect(checkpoints.length).toBe(Math.floor(chain.length / 16));
    for (const c of checkpoints) expect(c.hashes).toEqual(chain.slice(c.from - 1, c.to).map((r) => r.hash));
  });
});

describe('clock reminders', () => {
  it('sends each due reminder once, to the topic and the audit', async () => {
    const incident = 'inc-00000000000000aa';
    const awareAt = '2024-05-01T00:00:00.000Z';
    const deadline = '2024-05-04T00:00:00.000Z';
    await store.openClock(incident, { regime: 'gdpr-art33', awareAt, deadline }, { openedAt: awareAt, reminderOffsetsHours: [24, 4] });
    const published: string[] = [];
    const { audit } = await import('./runtime.js').then((m) => m.cloudRecords());
    const deps = { store, audit, now: new Date('2024-05-03T01:00:00Z'), publish: async (subject: string) => void published.push(subject) };
    const sent = await sendDueReminders(deps);
    expect(sent.filter((s) => s.incidentId === incident)).toEqual([{ incidentId: incident, regime: 'gdpr-art33', deadline, offsetHours: 24 }]);
    expect(published.some((s) => s.includes(incident) && s.includes('due in 23h'))).toBe(true);
    expect((await sendDueReminders(deps)).filter((s) => s.incidentId === incident)).toEqual([]);
  });

  it('sends each reminder as a Cordon.Clock.Reminder lifecycle event too, once; a bus that refuses it holds up nothing', async () => {
    const incident = 'inc-00000000000000ab';
    const awareAt = '2024-06-01T00:00:00.000Z';
    const deadline = '2024-06-04T00:00:00.000Z';
    await store.openClock(incident, { regime: 'gdpr-art33', awareAt, deadline }, { openedAt: awareAt, reminderOffsetsHours: [24, 4] });
    const { audit } = await import('./runtime.js').then((m) => m.cloudRecords());
    const client = new EventBridgeClient({});
    const warnings: string[] = [];
    const refused = bestEffort(eventBridgePublisher(client, 'no-such-bus'), (message) => void warnings.push(message));
    const now = new Date('2024-06-03T01:00:00Z');
    // The bus refuses: the reminder still goes to the topic and the audit, and is marked sent.
    expect((await sendDueReminders({ store, audit, now, publish: async () => undefined, lifecycle: refused })).filter((s) => s.incidentId === incident)).toHaveLength(1);
    expect(warnings.filter((w) => w.includes(incident))).toEqual([`lifecycle event Cordon.Clock.Reminder for ${incident} not published`]);
    const later = new Date('2024-06-03T21:00:00Z');
    const deps = { store, audit, now: later, publish: async () => undefined, lifecycle: eventBridgePublisher(client, BUS) };
    expect((await sendDueReminders(deps)).filter((s) => s.incidentId === incident)).toEqual([{ incidentId: incident, regime: 'gdpr-art33', deadline, offsetHours: 4 }]);
    await sendDueReminders(deps);
    const reminders = bus.received.filter((e) => e.DetailType === 'Cordon.Clock.Reminder' && (e.Detail as { incident: string }).incident === incident);
    expect(reminders.map((e) => e.Detail)).toEqual([
      { type: 'Cordon.Clock.Reminder', incident, at: later.toISOString(), regime: 'gdpr-art33', awareAt, deadline, offsetHours: 4, overdue: false },
    ]);
  });
});
