import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import pkg from '../../../package.json' with { type: 'json' };

import type { EvidenceSink } from '../../core/actions/types.js';
import { STEP_HEADER, stepIdNow } from '../step-context.js';
import { addCallScheduler, type CallScheduler } from './call-scheduler.js';

export { STEP_HEADER };

/** Static credentials for the simulated estate: it reads the SigV4 scope, never checks the signature. */
export const SIM_CREDENTIALS =  { accessKeyId: 'AKIACORDONSIMULATED', secretAccessKey: 'cordon-simulated-estate' } as const;

export interface AwsClientOptions {
  region: string;
  /** Explicit endpoint (the simulated estate). Without it the SDK honours AWS_ENDPOINT_URL itself. */
  endpoint?: string;
  /** Omit for the SDK's default provider chain. */
  credentials?: EC2ClientConfig['credentials'];
  /** Sent as `x-cordon-step` on every request. */
  stepId?: string;
  /**
   * SDK attempts per call (first try included). Small on purpose: the ASL `Retry` is the outer
   * retry layer, so the SDK only absorbs a single blip.
   */
  maxAttempts?: number;
  /** Per-request socket timeout, ms. */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /**
   * S3 path-style addressing. Defaults to on whenever an endpoint is overridden (explicitly or via
   * AWS_ENDPOINT_URL[_S3]): look-alike endpoints such as the estate have no bucket subdomains.
   */
  forcePathStyle?: boolean;
  /**
   * The engine's call scheduler and the account/region it answers for: every call waits for a
   * token of its API's bucket, containment first (call-scheduler.ts). Absent = calls go at once.
   */
  scheduler?: { scheduler: CallScheduler; scope: string };
}

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly s3: S3Client;
  readonly securityHub: SecurityHubClient;
  readonly autoScaling: AutoScalingClient;
  readonly s3Control: S3ControlClient;
}

/** What an AWS action receives: its clients, a clock (injected so tests pin time) and where to record evidence as it is made. */
export interface AwsContext {
  clients: AwsClients;
  now(): Date;
  /** The step engine's evidence sink; absent outside the engine (a test of the action alone). */
  evidence?: EvidenceSink;
}

export const DEFAULT_MAX_ATTEMPTS = 2;

/** The permission-style service prefix of each client's operations (`ec2:CreateTags`). */
const SIGNING_NAMES: Record<keyof AwsClients, string> = { ec2: 'ec2', iam: 'iam', sts: 'sts', s3: 's3', securityHub: 'securityhub', autoScaling: 'autoscaling', s3Control: 's3' };
export const USER_AGENT = `cordon/${pkg.version}`;

/** The slice of the SDK's middleware stack we use; every v3 client has it. */
interface StepHeaderStack {
  add(
      mw: (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => Promise<unknown>,
      options: { step: 'build'; name: string },
    ): void;
}

function hasHeaders(request: unknown): request is { headers: Record<string, string> } {
  return typeof request === 'object' && request !== null && typeof (request as { headers?: unknown }).headers === 'object';
}

/** Adds `x-cordon-step` at the build step, i.e. before SigV4 signs the request. */
function addStepHeader(client: { middlewareStack: unknown }, stepId: string | undefined): void {
  (client.middlewareStack as StepHeaderStack).add(
    (next) => async (args) => {
      const step = stepIdNow(stepId);
      if (step && hasHeaders(args.request)) args.request.headers[STEP_HEADER] = step;
      return next(args);
    },
    { step: 'build', name: 'cordonStepHeader' },
  );
}

/**
 * S3 Control addresses `{AccountId}.{endpoint host}`. A look-alike endpoint (the estate on
 * 127.0.0.1) has no such names, and `{AccountId}.127.0.0.1` is not even a valid URL, so the SDK
 * is given the endpoint as `localhost` and the prefixed name is mapped back to the real host
 * before the request leaves — the account still travels in `x-amz-account-id`, as it does to AWS.
 * Only with an explicit endpoint.
 */
function s3ControlLoopback(client: { middlewareStack: unknown }, host: string): void {
  (client.middlewareStack as StepHeaderStack).add(
    (next) => async (args) => {
      const request = args.request as { hostname?: unknown; headers?: Record<string, string> };
      if (typeof request.hostname === 'string' && (request.hostname === 'localhost' || request.hostname.endsWith('.localhost'))) {
        request.hostname = host;
        if (request.headers?.host !== undefined) delete request.headers.host;
      }
      return next(args);
    },
    { step: 'build', name: 'cordonS3ControlLoopbackHost' },
  );
}

/** Builds the SDK v3 clients lazily: a step that only touches IAM never constructs EC2. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const common = {
    region: options.region,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    customUserAgent: USER_AGENT,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 15_000,
      // Without this the handler only logs a warning and the call hangs on: a hung cloud call must fail the attempt.
      throwOnRequestTimeout: true,
    }),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const made = new Map<keyof AwsClients, unknown>();
  function lazy<T extends { middlewareStack: unknown }>(key: keyof AwsClients, build: () => T): T {
    let client = made.get(key) as T | undefined;
    if (!client) {
      client = build();
      addStepHeader(client, options.stepId);
      if (options.scheduler) addCallScheduler(client, SIGNING_NAMES[key], options.scheduler.scheduler, options.scheduler.scope);
      made.set(key, client);
    }
    return client;
  }
  return {
    get ec2() {
      return lazy('ec2', () => new EC2Client(common));
    },
    get iam() {
      return lazy('iam', () => new IAMClient(common));
    },
    get sts() {
      return lazy('sts', () => new STSClient(common));
    },
    get s3() {
      const forcePathStyle =
        options.forcePathStyle ?? Boolean(options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
      return lazy('s3', () => new S3Client({ ...common, forcePathStyle, followRegionRedirects: true }));
    },
    get securityHub() {
      return lazy('securityHub', () => new SecurityHubClient(common));
    },
    get autoScaling() {
      return lazy('autoScaling', () => new AutoScalingClient(common));
    },
    get s3Control() {
      return lazy('s3Control', () => {
        if (!options.endpoint) return new S3ControlClient(common);
        const url = new URL(options.endpoint);
        const host = url.hostname;
        url.hostname = 'localhost';
        const client = new S3ControlClient({ ...common, endpoint: url.toString().replace(/\/$/, '') });
        s3ControlLoopback(client, host);
        return client;
      });
    },
  };
}
