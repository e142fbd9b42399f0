import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS } from '../../adapters/aws/clients.js';
import { createAzureClients } from '../../adapters/azure/clients.js';
import { fetchGraphAlert } from '../../adapters/azure/graph-alerts.js';
import { fetchDefenderAlert } from '../../adapters/azure/defender-alerts.js';
import { createActionExecutor } from '../../actions/registry.js';
import type { TableAuditTrail } from '../../records/table-audit-trail.js';
import { ingestValue } from '../../core/findings/ingest.js';
import { AuditLog } from '../../records/audit-log.js';
import { DynamoCaseStore } from '../../records/dynamo-case-store.js';
import { localAuditSigner } from '../../records/audit-signer.js';
import { EvidenceStore } from '../../records/evidence.js';
import { createAwsEstate, createAwsSimServices } from '../../sim/aws/index.js';
import { DynamoDbSimService } from '../../../test/support/sim/dynamodb.js';
import { createStepFunctionsSimService } from '../../../test/support/sim/stepfunctions.js';
import { addAzureSeed, createAzureEstateState, createAzureSimServices, seedFromFinding } from '../../sim/azure/index.js';
import { startSimServer, type RunningSimServer } from '../../sim/server.js';
import { stepsOf, type StepInput, type WorkflowInput } from '../../../workflows/input.js';
import { stepFunctionsStarter } from '../../adapters/aws/start-execution.js';
import { intake } from '../intake.js';
import { handlerPlaybooks } from '../playbooks.js';
import { RUNNER_SECRET_HEADER, runAzureAction, type AzureRunnerDeps } from './actions.js';
import { ingestEventGridEvent, ingestWebhook, type AzureIngestDeps } from './ingest.js';
import { AzureKeyCredential } from '@azure/eventgrid';
import { eventGridPublisher, eventGridTopicClient } from '../../adapters/azure/lifecycle-events.js';
import { EventGridTopicReceiver } from '../../../test/support/sim/lifecycle.js';

/**
 * The Azure Functions' logic invoked with real-shaped requests (HttpRequest / Event Grid events
 * as the Functions host hands them over), wired as in the cloud — DynamoDB case store and Step
 * Functions in the Cordon account, Graph and ARM for Azure — all served by the simulated estate.
 */
const FIXTURES = join(import.meta.dirname, '../../../test/fixtures');
const SUBSCRIPTION = '20ff7fc3-e762-44dd-bd96-b71116dcdc23';
const VM_MACHINE = 'arn:aws:states:eu-west-1:111111111111:stateMachine:Cordon-azure-vm-compromise';
const SECRET = 'a-shared-secret-of-enough-length-0123456789';

function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;
}

/**
 * The Defender CloudEvents fixture with its test-alert markers replaced (alert type `VM_EICAR`,
 * display name, description) and its own alert id, so automatic mode treats it as a real alert.
 */
function realAlertCloudEvent(): Record<string, unknown> {
  const event = readJson('defender/alert.cloudevent.json');
  const data = event.data as { id: string; name: string; properties: Record<string, unknown> };
  // Its own alert id: the sample alert (same fixture) is another incident.
  data.id = data.id.replace(/[^/]+$/, '2518770965529163669_0A1B2C3D-0E0F-4000-8000-000000000001');
  data.name = '2518770965529163669_0A1B2C3D-0E0F-4000-8000-000000000001';
  data.properties.alertType = 'VM_SuspiciousCommandLine';
  data.properties.alertDisplayName = 'Suspicious command line on vm1';
  data.properties.description = 'A process ran a suspicious command line.';
  data.properties.severity = 'High';
  return event;
}

/** The Azure estate the Defender alerts describe: their VM and the Graph alert. */
function azureEstate(): ReturnType<typeof createAzureEstateState> {
  const azure = createAzureEstateState();
  // Both alerts the tests deliver exist in Defender (the ingest reads each back from ARM).
  for (const event of [realAlertCloudEvent(), readJson<unknown[]>('defender/alert.eventgrid.json')[0]]) {
    for (const f of ingestValue(event, 'fixture').findings) addAzureSeed(azure, seedFromFinding(f.finding));
  }
  addAzureSeed(azure, { graphAlerts: [readJson<{ id: string }>('graph/alert-get.json')] });
  return azure;
}

/** The runner as the Function App wires it in the cloud: Azure actions only, records in the deployment's DynamoDB case store. */
function runnerWiredTo(endpoint: string, home: string): AzureRunnerDeps {
  const executeAction = createActionExecutor({
    aws: () => {
      throw new Error('not here');
    },
    cordon: () => {
      throw new Error('not here');
    },
    azure: (i) => ({ clients: createAzureClients({ subscriptionId: i.account, stepId: `${i.incidentId}/${i.stepId}`, endpoint }), now: () => new Date() }),
  });
  return { secret: SECRET, step: { store, audit: store.auditTrail({ signer: localAuditSigner(home) }), evidence: new EvidenceStore(home), executeAction, now: () => new Date() } };
}

const sfnService = createStepFunctionsSimService();
const TOPIC_KEY = 'lifecycle-topic-key-0123456789';
const lifecycleTopic = new EventGridTopicReceiver(TOPIC_KEY);
let server: RunningSimServer;
let store: DynamoCaseStore;
let ingestDeps: AzureIngestDeps;
let runnerDeps: AzureRunnerDeps;
let home: string;

const context = () => new InvocationContext({ functionName: 'test', invocationId: `inv-${Math.random().toString(16).slice(2)}`, logHandler: () => undefined });

function post(url: string, body: unknown, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, body: { string: typeof body === 'string' ? body : JSON.stringify(body) } });
}

beforeAll(async () => {
  server = await startSimServer({
    services: [new DynamoDbSimService(), sfnService, ...createAwsSimServices(createAwsEstate()), ...createAzureSimServices(azureEstate()), lifecycleTopic],
    // Every snapshot write is throttled: the runner must answer 429 for Step Functions to retry.
    faults: [{ operation: 'Microsoft.Compute/snapshots/write', kind: 'throttle' }],
  });

  const aws = { endpoint: server.url, region: 'eu-west-1', credentials: SIM_CREDENTIALS };
  const dynamo = new DynamoDBClient(aws);
  await DynamoCaseStore.createTable(dynamo, 'cases');
  store = new DynamoCaseStore({ client: dynamo, tableName: 'cases' });
  home = mkdtempSync(join(tmpdir(), 'cordon-azure-fn-'));
  const deps = {
    store,
    audit: AuditLog.inHome(home),
    evidence: new EvidenceStore(home),
    router: (await handlerPlaybooks()).router,
    start: stepFunctionsStarter(new SFNClient(aws), { 'azure-vm-compromise': VM_MACHINE }),
    now: () => new Date(),
    // As the Function App wires it (runtime.ts), with a topic key instead of the managed identity on loopback.
    publish: eventGridPublisher(eventGridTopicClient(`${server.url}/api/events`, new AzureKeyCredential(TOPIC_KEY))),
  };
  const graph = createAzureClients({ subscriptionId: SUBSCRIPTION, endpoint: server.url });
  ingestDeps = { intake: (result, raw) => intake(result, raw, deps), fetchGraphAlert: (id) => fetchGraphAlert(graph, id), fetchDefenderAlert: (id) => fetchDefenderAlert(graph, id) };
  runnerDeps = runnerWiredTo(server.url, home);
});

afterAll(async () => {
  await server.close();
});

describe('ingest webhook handshakes', () => {
  it('answers the Event Grid subscription validation with validationResponse', async () => {
    const res = await ingestWebhook(post('https://cordon.example/api/ingest', readJson('defender/subscription-validation.eventgrid.json')), context(), ingestDeps);
    expect(res).toMatchObject({ status: 200, jsonBody: { validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' } });
  });

  it('answers the published validation event (shared fixture copy) the same way, with no incident', async () => {
    const event = JSON.parse(readFileSync(join(FIXTURES, 'public/other-shapes/eventgrid-subscription-validation.eventgridschema.json'), 'utf8')) as unknown;
    const before = (await store.listIncidents()).length;
    const res = await ingestWebhook(post('https://cordon.example/api/ingest', event), context(), ingestDeps);
    expect(res).toMatchObject({ status: 200, jsonBody: { validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' } });
    expect((await store.listIncidents()).length).toBe(before);
  });

  it('answers the CloudEvents abuse-protection OPTIONS handshake', async () => {
    const req = new HttpRequest({ method: 'OPTIONS', url: 'https://cordon.example/api/ingest', headers: { 'WebHook-Request-Origin': 'eventemitter.example.com' } });
    const res = await ingestWebhook(req, context(), ingestDeps);
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ 'WebHook-Allowed-Origin': 'eventemitter.example.com' });
  });

  it('echoes the Graph subscription validationToken', async () => {
    const req = new HttpRequest({ method: 'POST', url: 'https://cordon.example/api/ingest?validationToken=abc%20123' });
    expect(await ingestWebhook(req, context(), ingestDeps)).toMatchObject({ status: 200, body: 'abc 123' });
  });
});

describe('ingest', () => {
  it('records a Defender sample alert from the Event Grid trigger and starts nothing', async () => {
    const [event] = readJson<unknown[]>('defender/alert.eventgrid.json');
    const out = await ingestEventGridEvent(event, context(), ingestDeps);
    expect(out.incidents).toHaveLength(1);
    expect(out.incidents[0]).toMatchObject({ playbook: 'azure-vm-compromise', outcome: 'no-action' });
    expect(await store.getIncident(out.incidents[0]!.incidentId)).toBeDefined();
    expect(sfnService.state.executionsOf(VM_MACHINE)).toEqual([]);
  });

  it('starts one execution for a Defender alert delivered as a CloudEvent; a redelivery starts none', async () => {
    const res = await ingestWebhook(post('https://cordon.example/api/ingest', realAlertCloudEvent(), { 'content-type': 'application/cloudevents+json' }), context(), ingestDeps);
    expect(res.status).toBe(200);
    const body = res.jsonBody as { incidents: { incidentId: string; outcome: string }[] };
    expect(body.incidents).toHaveLength(1);
    expect(body.incidents[0]!.outcome).toBe('started');
    await ingestEventGridEvent(realAlertCloudEvent(), context(), ingestDeps);
    const executions = sfnService.state.executionsOf(VM_MACHINE);
    expect(executions).toHaveLength(1);
    expect(executions[0]!.name).toBe(body.incidents[0]!.incidentId);
    // One Cordon.Incident.Opened on the lifecycle topic; the redelivery opened nothing.
    const opened = lifecycleTopic.received.filter((e) => e.subject === `cordon/incidents/${body.incidents[0]!.incidentId}`);
    expect(opened.map((e) => [e.eventType, e.dataVersion])).toEqual([['Cordon.Incident.Opened', '1']]);
    expect(opened[0]!.data).toMatchObject({ playbook: 'azure-vm-compromise', finding: { source: 'defender', cloud: 'azure', severity: 'high' } });
  });

  it('fetches the alert a Graph AlertCreated notification announces and records it', async () => {
    const res = await ingestWebhook(post('https://cordon.example/api/ingest', readJson('graph/change-notification.alerts_v2.json')), context(), ingestDeps);
    const body = res.jsonBody as { incidents: { findingId: string; outcome: string }[]; rejected: unknown[] };
    expect(body.rejected).toEqual([]);
    expect(body.incidents).toEqual([expect.objectContaining({ findingId: 'da637578995287051192_756343937', outcome: 'no-action' })]);
    expect(server.calls.filter((c) => c.operation === 'graph:getAlert')).toHaveLength(1);
  });

  it('reads Event Grid envelopes with the SDK deserializer: one without its topic is refused on its own, the rest of the batch still read', async () => {
    const [alert] = readJson<Record<string, unknown>[]>('defender/alert.eventgrid.json');
    const { topic: _dropped, ...noTopic } = alert!;
    const res = await ingestWebhook(post('https://cordon.example/api/ingest', [noTopic, alert]), context(), ingestDeps);
    expect(res.status).toBe(200);
    const body = res.jsonBody as { incidents: { playbook: string | null }[]; rejected: { file: string; reason: string }[] };
    // The SDK enforces the Event Grid schema (topic is required there); the core alone would have read the alert.
    expect(body.rejected).toEqual([{ file: expect.stringMatching(/ \[0\]$/), reason: "EventGridSchema: event is missing required property 'topic'" }]);
    expect(body.incidents).toEqual([expect.objectContaining({ playbook: 'azure-vm-compromise' })]);
  });

  it('refuses a CloudEvent that is not CloudEvents 1.0 from the trigger, naming the schema, and starts nothing', async () => {
    const event = { ...realAlertCloudEvent(), specversion: '0.3', id: 'ce-03' };
    const before = sfnService.state.executionsOf(VM_MACHINE).length;
    const out = await ingestEventGridEvent(event, context(), ingestDeps);
    expect(out.incidents).toEqual([]);
    expect(out.rejected.map((r) => r.reason)).toEqual([expect.stringMatching(/^CloudEvents 1\.0: event is not in the Cloud Event 1\.0 schema/)]);
    expect(sfnService.state.executionsOf(VM_MACHINE)).toHaveLength(before);
  });

  it('an AWS finding on the Azure webhook is refused (AWS findings come through EventBridge only); nothing is planned', async () => {
    const res = await ingestWebhook(post('https://cordon.example/api/ingest', readJson('guardduty/derived-SSHBruteForce.bare.json')), context(), ingestDeps);
    const body = res.jsonBody as { incidents: unknown[]; rejected: { reason: string }[] };
    expect(body.incidents).toEqual([]);
    expect(body.rejected[0]!.reason).toMatch(/AWS finding \(guardduty\) on the Azure ingest: AWS findings reach Cordon through EventBridge only/);
  });

  it('a Defender alert body that disagrees with the alert ARM stores is refused; twin: the stored alert is accepted (above)', async () => {
    const retyped = realAlertCloudEvent();
    (retyped.data as { properties: Record<string, unknown> }).properties.alertType = 'VM_Ransomware';
    const forgedId = realAlertCloudEvent();
    const data = forgedId.data as { id: string; name: string };
    data.id = data.id.replace(/[^/]+$/, 'no-such-alert');
    data.name = 'no-such-alert';
    for (const [event, reason] of [[retyped, /alert type VM_Ransomware differs from the stored alert's VM_SuspiciousCommandLine/], [forgedId, /Defender has no alert/]] as const) {
      const res = await ingestWebhook(post('https://cordon.example/api/ingest', event, { 'content-type': 'application/cloudevents+json' }), context(), ingestDeps);
      const body = res.jsonBody as { incidents: unknown[]; rejected: { reason: string }[] };
      expect(body.incidents).toEqual([]);
      expect(body.rejected[0]!.reason).toMatch(reason);
    }
  });

  it("a Graph notification without the subscription's clientState is refused when one is configured; twin: the right one is fetched", async () => {
    const notification = readJson('graph/change-notification.alerts_v2.json');
    const wrong = await ingestWebhook(post('https://cordon.example/api/ingest', notification), context(), { ...ingestDeps, graphClientState: 'another-secret-value-0000' });
    expect((wrong.jsonBody as { rejected: { reason: string }[] }).rejected[0]!.reason).toMatch(/clientState does not match/);
    const right = await ingestWebhook(post('https://cordon.example/api/ingest', notification), context(), { ...ingestDeps, graphClientState: 'secretClientValue' });
    expect((right.jsonBody as { rejected: unknown[] }).rejected).toEqual([]);
  });

  it('rejects an unrecognized event naming why, and answers 200 so it is not redelivered', async () => {
    const res = await ingestWebhook(post('https://cordon.example/api/ingest', readJson('bad/unknown-shape.json')), context(), ingestDeps);
    expect(res.status).toBe(200);
    expect((res.jsonBody as { rejected: { reason: string }[] }).rejected[0]!.reason).toMatch(/unrecognized event/);
  });
});

describe('action runner /api/actions', () => {
  function vmStep(action: string): StepInput {
    const input = JSON.parse(sfnService.state.executionsOf(VM_MACHINE)[0]!.input) as WorkflowInput;
    return stepsOf(input).find((s) => s.action === action)!;
  }

  it('refuses a request without the shared secret, or with a wrong one (401)', async () => {
    const step = vmStep('quarantine-vm');
    expect((await runAzureAction(post('https://r.example/api/actions', step), context(), runnerDeps)).status).toBe(401);
    expect((await runAzureAction(post('https://r.example/api/actions', step, { [RUNNER_SECRET_HEADER]: `${SECRET}x` }), context(), runnerDeps)).status).toBe(401);
    expect(server.calls.filter((c) => c.step.endsWith(step.stepId))).toEqual([]);
  });

  it('runs an Azure action against the estate and answers 200 with the result', async () => {
    const step = vmStep('quarantine-vm');
    const res = await runAzureAction(post('https://r.example/api/actions', step, { [RUNNER_SECRET_HEADER]: SECRET }), context(), runnerDeps);
    expect(res.status).toBe(200);
    expect(res.jsonBody).toMatchObject({ status: 'succeeded' });
    const ops = server.callsFor(`${step.incidentId}/${step.stepId}`).map((c) => c.operation);
    expect(ops.some((o) => o.startsWith('Microsoft.Network/'))).toBe(true);
  });

  it('answers 429 with Cordon.Throttled when Azure keeps throttling, so the state machine retries', async () => {
    const step = vmStep('snapshot-disks');
    const res = await runAzureAction(post('https://r.example/api/actions', step, { [RUNNER_SECRET_HEADER]: SECRET }), context(), runnerDeps);
    expect(res).toMatchObject({ status: 429, jsonBody: { error: 'Cordon.Throttled', errorClass: 'Throttled' } });
  });

  it('answers 400 naming the field for a malformed step, and for an action that is not Azure', async () => {
    const auth = { [RUNNER_SECRET_HEADER]: SECRET };
    const bad = await runAzureAction(post('https://r.example/api/actions', { ...vmStep('quarantine-vm'), stepId: undefined }, auth), context(), runnerDeps);
    expect(bad).toMatchObject({ status: 400, jsonBody: { message: expect.stringMatching(/^stepId/) } });
    const aws = await runAzureAction(post('https://r.example/api/actions', { ...vmStep('quarantine-vm'), action: 'quarantine-instance' }, auth), context(), runnerDeps);
    expect(aws.status).toBe(400);
  });
});

describe('action runner records every step like the Lambda (the one step engine)', () => {
  // The same estate without the throttling fault, so the snapshots are taken.
  let clean: RunningSimServer;
  beforeAll(async () => {
    clean = await startSimServer({ services: createAzureSimServices(azureEstate()) });
  });
  afterAll(async () => {
    await clean.close();
  });

  it('claims a snapshot-disks step in the DynamoDB case store, audits step.start/step.end and files its snapshots as evidence', async () => {
    const input = JSON.parse(sfnService.state.executionsOf(VM_MACHINE)[0]!.input) as WorkflowInput;
    const step = stepsOf(input).find((s) => s.action === 'snapshot-disks')!;
    const deps = runnerWiredTo(clean.url, home);
    const res = await runAzureAction(post('https://r.example/api/actions', step, { [RUNNER_SECRET_HEADER]: SECRET }), context(), deps);
    expect(res).toMatchObject({ status: 200, jsonBody: { status: 'succeeded' } });

    expect(await store.getStep(step.incidentId, step.stepId)).toMatchObject({ status: 'succeeded', owner: expect.stringContaining('cordon/automatic') });
    const chain = await (deps.step.audit as TableAuditTrail).records();
    const events = chain
      .filter((r) => r.incident === step.incidentId && r.event.startsWith('step.') && (r.data as { step?: string }).step === step.stepId)
      .map((r) => [r.event, (r.data as { status?: string }).status]);
    // The throttled attempt of the earlier test was recorded too: the retry is a new claim of the same step.
    expect(events.slice(-2)).toEqual([['step.start', undefined], ['step.end', 'succeeded']]);
    const end = chain.filter((r) => r.event === 'step.end' && (r.data as { step?: string }).step === step.stepId).at(-1)!;
    const manifest = deps.step.evidence.read(step.incidentId);
    // Each snapshot was filed as ARM made it (evidence.recorded); the step's end files them all, with their locks.
    const custody = manifest?.custody.filter((c) => c.action === step.stepId).at(-1);
    expect(custody).toMatchObject({ actor: 'cordon/automatic', auditHash: end.hash });
    const snapshots = manifest?.snapshots.filter((e) => e.kind === 'disk-snapshot') ?? [];
    expect(snapshots.length).toBeGreaterThan(0);
    expect(custody?.items).toEqual(snapshots.map((e) => e.id));
    // The manifest as it stands is hashed into the chain after the step's evidence is filed.
    const digest = chain.filter((r) => r.event === 'evidence.manifest' && (r.data as { step?: string }).step === step.stepId).at(-1);
    expect(digest?.data).toMatchObject({ sha256: deps.step.evidence.digest(step.incidentId) });

    // Run again (a Step Functions redelivery): already done, nothing acts twice.
    const again = await runAzureAction(post('https://r.example/api/actions', step, { [RUNNER_SECRET_HEADER]: SECRET }), context(), deps);
    expect(again).toMatchObject({ status: 200, jsonBody: { status: 'skipped', reason: 'already-done' } });
    expect(clean.callsFor(`${step.incidentId}/${step.stepId}`).filter((c) => c.operation === 'Microsoft.Compute/snapshots/write')).toHaveLength(snapshots.length);
  });
});
