import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { fromWebToken } from '@aws-sdk/credential-providers';
import { ManagedIdentityCredential } from '@azure/identity';
import * as z from 'zod';
import { StateMachineMap, readEnv } from '../../core/env.js';
import { createAzureClients } from '../../adapters/azure/clients.js';
import { fetchGraphAlert } from '../../adapters/azure/graph-alerts.js';
import { eventGridPublisher, eventGridTopicClient } from '../../adapters/azure/lifecycle-events.js';
import type { LifecyclePublisher } from '../../core/lifecycle.js';
import { bestEffort } from '../lifecycle.js';
import { fetchDefenderAlert } from '../../adapters/azure/defender-alerts.js';
import { parseArmId } from '../../core/arm-id.js';
import type { DeliveryChecks } from './verify-delivery.js';
import { AZURE_ACTIONS } from '../../actions/azure/index.js';
import { dispatchActions } from '../../actions/dispatch.js';
import { stepCorrelation } from '../../core/correlation.js';
import { openCloudRecords, type CloudRecords } from '../../adapters/aws/records.js';
import { stepFunctionsStarter } from '../../adapters/aws/start-execution.js';
import { intake } from '../intake.js';
import { loadOperatorSettings } from '../../config/settings.js';
import { liveTagCheck } from '../../engine/live-check.js';
import { readAzureLiveTags } from '../../adapters/azure/live-tags.js';
import type { StepInput } from '../../../workflows/input.js';
import { handlerPlaybooks } from '../playbooks.js';
import type { AzureRunnerDeps } from './actions.js';
import type { AzureIngestDeps } from './ingest.js';

/**
 * Wires the Azure Functions from their app settings.
 *
 * In the cloud (CORDON_STATE_MACHINES set) the ingest function records incidents in the Cordon
 * DynamoDB case table, mirrors its audit to the Object Lock bucket and starts the Step Functions
 * execution — all in the Cordon AWS account, reached with federated credentials: the Function
 * App's managed identity gets an Entra token for CORDON_AWS_AUDIENCE, and STS
 * AssumeRoleWithWebIdentity exchanges it for CORDON_AWS_ROLE_ARN (an IAM role trusting the Entra
 * tenant as an OIDC provider, `sts.windows.net/<tenant>/`, for that audience and the identity's
 * object id). No AWS secret is stored in Azure.
 *
 * This is the production wiring only: it never loads the local engine. On a workstation
 * (`func start`) the local entry (local.ts, local-runtime.ts) runs each workflow in the process.
 */
const AzureEnvSchema = z.object({
  CORDON_RUNNER_SECRET: z.string().min(16).optional(),
  CORDON_STATE_MACHINES: StateMachineMap.optional(),
  CORDON_AWS_ROLE_ARN: z.string().startsWith('arn:').optional(),
  CORDON_AWS_REGION: z.string().min(1).optional(),
  CORDON_AWS_AUDIENCE: z.string().min(1).default('api://AzureADTokenExchange'),
  CORDON_CASE_TABLE: z.string().min(1).optional(),
  CORDON_AUDIT_BUCKET: z.string().min(1).optional(),
  /** The KMS audit key (ARN) in the Cordon AWS account. */
  CORDON_AUDIT_KEY: z.string().min(1).optional(),
  CORDON_HOME: z.string().min(1).optional(),
  /** The Event Grid custom topic (endpoint URL) Cordon's lifecycle events go to (core/lifecycle.ts); unset: none are sent. */
  CORDON_EVENT_GRID_TOPIC: z.url().optional(),
  /** The simulated estate (local runs and tests); absent = the real clouds. */
  CORDON_ENDPOINT: z.url().optional(),
  /** The clientState Cordon's Graph alert subscription was created with; notifications without it are refused. */
  CORDON_GRAPH_CLIENT_STATE: z.string().min(16).optional(),
});
export type AzureEnv = z.infer<typeof AzureEnvSchema>;

export class AzureConfigError extends Error {
  override readonly name = 'AzureConfigError';
}

export function readAzureEnv(env: NodeJS.ProcessEnv): AzureEnv {
  return readEnv(AzureEnvSchema, env, (setting, problem) => new AzureConfigError(`app setting ${setting}: ${problem}`));
}

function need<K extends keyof AzureEnv>(env: AzureEnv, key: K): NonNullable<AzureEnv[K]> {
  const value = env[key];
  if (value === undefined) throw new AzureConfigError(`app setting ${key}: required`);
  return value as NonNullable<AzureEnv[K]>;
}

/** AWS credentials from the Function App's managed identity, refreshed by the SDK when they expire. */
export function federatedAwsCredentials(roleArn: string, audience: string): ReturnType<typeof fromWebToken> {
  const identity = new ManagedIdentityCredential();
  return async () => {
    const token = await identity.getToken(`${audience}/.default`);
    return fromWebToken({ roleArn, webIdentityToken: token.token, roleSessionName: 'cordon-azure-ingest' })();
  };
}

let access: { region: string; credentials: ReturnType<typeof fromWebToken> } | undefined;

/** The Cordon AWS account as the managed identity reaches it (one credential provider for every client). */
function awsAccess(env: AzureEnv): { region: string; credentials: ReturnType<typeof fromWebToken> } {
  access ??= { region: need(env, 'CORDON_AWS_REGION'), credentials: federatedAwsCredentials(need(env, 'CORDON_AWS_ROLE_ARN'), env.CORDON_AWS_AUDIENCE) };
  return access;
}

let records: CloudRecords | undefined;

/** The deployment's records (case table, one audit chain mirrored to the Object Lock bucket), shared by ingest and the action runner. */
function cloudRecords(env: AzureEnv): CloudRecords {
  if (!records) {
    const aws = awsAccess(env);
    records = openCloudRecords({
      dynamo: new DynamoDBClient(aws),
      tableName: need(env, 'CORDON_CASE_TABLE'),
      ...(env.CORDON_AUDIT_BUCKET ? { auditBucket: { s3: new S3Client(aws), name: env.CORDON_AUDIT_BUCKET } } : {}),
      ...(env.CORDON_AUDIT_KEY ? { auditKey: { kms: new KMSClient(aws), keyId: env.CORDON_AUDIT_KEY } } : {}),
      home: env.CORDON_HOME ?? join(tmpdir(), 'cordon'),
    });
  }
  return records;
}

/** Lifecycle events to the deployment's Event Grid topic with the managed identity (EventGrid Data Sender), logged and dropped on failure. */
export function lifecycleTopicPublisher(env: AzureEnv): LifecyclePublisher | undefined {
  if (!env.CORDON_EVENT_GRID_TOPIC) return undefined;
  const client = eventGridTopicClient(env.CORDON_EVENT_GRID_TOPIC, new ManagedIdentityCredential());
  return bestEffort(eventGridPublisher(client), (message, error) => console.warn(message, error));
}

function cloudIngestDeps(env: AzureEnv): AzureIngestDeps['intake'] {
  const publish = lifecycleTopicPublisher(env);
  const deps = {
    ...cloudRecords(env),
    start: stepFunctionsStarter(new SFNClient(awsAccess(env)), need(env, 'CORDON_STATE_MACHINES')),
    now: () => new Date(),
    ...(publish ? { publish } : {}),
    // The same operator settings as the Lambda's (trust, allowed subscriptions, caps, GDPR role …).
    settings: loadOperatorSettings(process.env),
  };
  return async (result, raw) => intake(result, raw, { ...deps, router: (await handlerPlaybooks()).router });
}

/** Graph alerts, read with the Function App's managed identity (the alert's tenant is the app's own). */
export function graphAlertReader(env: AzureEnv): AzureIngestDeps['fetchGraphAlert'] {
  const graph = createAzureClients({ subscriptionId: 'graph', ...(env.CORDON_ENDPOINT ? { endpoint: env.CORDON_ENDPOINT } : {}) });
  return (id) => fetchGraphAlert(graph, id);
}

/**
 * What the ingest verifies a delivery with (verify-delivery.ts): Defender alerts read again from ARM
 * with the app's identity (in the alert's own subscription), and the Graph subscription's clientState.
 */
export function deliveryChecks(env: AzureEnv): DeliveryChecks {
  const endpoint = env.CORDON_ENDPOINT ? { endpoint: env.CORDON_ENDPOINT } : {};
  return {
    fetchDefenderAlert: (id) => fetchDefenderAlert(createAzureClients({ subscriptionId: parseArmId(id)?.subscriptionId ?? 'unknown', ...endpoint }), id),
    ...(env.CORDON_GRAPH_CLIENT_STATE ? { graphClientState: env.CORDON_GRAPH_CLIENT_STATE } : {}),
  };
}

let ingestDeps: AzureIngestDeps | undefined;

export function azureIngestDeps(env: NodeJS.ProcessEnv = process.env): AzureIngestDeps {
  if (!ingestDeps) {
    const settings = readAzureEnv(env);
    ingestDeps = { intake: cloudIngestDeps(settings), fetchGraphAlert: graphAlertReader(settings), ...deliveryChecks(settings) };
  }
  return ingestDeps;
}

let runnerDeps: AzureRunnerDeps | undefined;

export function azureRunnerDeps(env: NodeJS.ProcessEnv = process.env): AzureRunnerDeps {
  if (!runnerDeps) {
    const settings = readAzureEnv(env);
    const endpoint = settings.CORDON_ENDPOINT;
    const now = () => new Date();
    // Azure actions only: AWS and Cordon actions run in the Lambda action runner.
    const clients = (i: Pick<StepInput, 'account' | 'incidentId' | 'stepId'>) => createAzureClients({ subscriptionId: i.account, stepId: stepCorrelation(i), ...(endpoint ? { endpoint } : {}) });
    const run = dispatchActions({ azure: AZURE_ACTIONS }, { azure: (i) => ({ clients: clients(i), now }) });
    // The target's ARM tags as they are now (fail closed: engine/live-check.ts).
    const checks = [liveTagCheck((i) => readAzureLiveTags(clients(i), i))];
    // The runner is only ever called by the deployed state machines: its steps go to the deployment's records.
    runnerDeps = { secret: need(settings, 'CORDON_RUNNER_SECRET'), step: { ...cloudRecords(settings), executeAction: run, now, checks } };
  }
  return runnerDeps;
}

/** For tests that wire the functions to a different estate. */
export function resetAzureDeps(): void {
  ingestDeps = undefined;
  runnerDeps = undefined;
  records = undefined;
  access = undefined;
}
