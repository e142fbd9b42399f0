/**
 * The Azure client bundle one workflow step uses: ARM clients for network, compute, storage and
 * Defender for Cloud, and the Microsoft Graph client — the official SDKs, pointed either at the
 * public cloud (DefaultAzureCredential: managed identity in the cloud) or at the simulated estate
 * on loopback (a static token, no network). Every request carries `x-cordon-step` so the estate
 * (and Azure's own request logs, via the client request id) can attribute it to the step.
 */
import type { EvidenceSink } from '../../core/actions/types.js';
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { SecurityCenter } from '@azure/arm-security';
import { StorageManagementClient } from '@azure/arm-storage';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicyName,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRetryOptions,
} from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { STEP_HEADER, stepIdNow } from '../step-context.js';

export const ARM_ENDPOINT = 'https://management.azure.com';
export const GRAPH_ENDPOINT = 'https://graph.microsoft.com';
const ARM_SCOPE = 'https://management.azure.com/.default';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export { STEP_HEADER };

export interface AzureClients {
  readonly subscriptionId: string;
  /** The ARM base URL the clients use (management.azure.com or the simulated estate). */
  readonly armEndpoint: string;
  readonly network: NetworkManagementClient;
  readonly compute: ComputeManagementClient;
  readonly storage: StorageManagementClient;
  readonly security: SecurityCenter;
  readonly graph: Client;
  /** Poll interval for long-running ARM operations (ms); the service's Retry-After wins when sent. */
  readonly lroPollIntervalMs: number;
}

/** What an Azure action receives: the step's clients and the clock (injected for tests). */
export interface AzureContext {
  clients: AzureClients;
  now(): Date;
  /** The step engine's evidence sink; absent outside the engine (a test of the action alone). */
  evidence?: EvidenceSink;
}

export interface AzureRetrySettings {
  /** Client-side retries per request; small, because the workflow's ASL Retry is the outer layer. */
  maxRetries: number;
  /** First back-off for 5xx/connection errors (ms); 429s wait for the service's Retry-After. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export interface AzureClientOptions {
  subscriptionId: string;
  /** Attributes every request to this workflow step (`x-cordon-step`). */
  stepId?: string;
  /**
   * Base URL serving both ARM and Graph (the simulated estate, e.g. `http://127.0.0.1:4566`).
   * Absent: the public cloud (management.azure.com, graph.microsoft.com).
   */
  endpoint?: string;
  /** Defaults: a static token against `endpoint`, else DefaultAzureCredential (managed identity). */
  credential?: TokenCredential;
  retry?: Partial<AzureRetrySettings>;
  lroPollIntervalMs?: number;
  /** Per-request timeout (ms); a request still unanswered then fails with a timeout. Default: none (the SDK's). */
  requestTimeoutMs?: number;
}

const CLOUD_RETRY: AzureRetrySettings = { maxRetries: 2, retryDelayMs: 800, maxRetryDelayMs: 10_000 };
/** Against the simulated estate back-offs stay tiny so fault tests run fast. */
const SIM_RETRY: AzureRetrySettings = { maxRetries: 2, retryDelayMs: 5, maxRetryDelayMs: 20 };

/** A token credential that never touches the network, for the simulated estate. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token = 'cordon-simulated-estate') {}
  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

function stepHeaderPolicy(stepId: string | undefined): PipelinePolicy {
  return {
    name: 'cordonStepHeaderPolicy',
    sendRequest: (request, next) => {
      const step = stepIdNow(stepId);
      if (step) request.headers.set(STEP_HEADER, step);
      return next(request);
    },
  };
}

/**
 * The SDK's bearer policy refuses plain-http URLs, and the estate is plain http on loopback;
 * this policy stands in for it there only, still sending the credential's token.
 */
function loopbackBearerPolicy(credential: TokenCredential, scope: string): PipelinePolicy {
  return {
    name: 'cordonLoopbackBearerPolicy',
    sendRequest: async (request, next) => {
      if (!isLoopback(request.url)) throw new Error(`refusing to send a token to non-loopback ${request.url} over this policy`);
      const token = await credential.getToken(scope);
      if (token) request.headers.set('authorization', `Bearer ${token.token}`);
      request.allowInsecureConnection = true;
      return next(request);
    },
  };
}

function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'cordonRequestTimeoutPolicy',
    sendRequest: (request, next) => {
      request.timeout = timeoutMs;
      return next(request);
    },
  };
}

/** Graph middleware: aborts a request unanswered after `timeoutMs`. */
class RequestTimeoutMiddleware implements Middleware {
  private nextMiddleware?: Middleware;
  constructor(private readonly timeoutMs: number) {}
  async execute(context: Context): Promise<void> {
    context.options = { ...context.options, signal: AbortSignal.timeout(this.timeoutMs) };
    await this.nextMiddleware?.execute(context);
  }
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }
}

function configurePipeline(pipeline: Pipeline, opts: { stepId?: string; loopback?: { credential: TokenCredential }; requestTimeoutMs?: number }): void {
  pipeline.addPolicy(stepHeaderPolicy(opts.stepId));
  if (opts.requestTimeoutMs !== undefined) pipeline.addPolicy(requestTimeoutPolicy(opts.requestTimeoutMs));
  if (opts.loopback) {
    pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
    pipeline.addPolicy(loopbackBearerPolicy(opts.loopback.credential, ARM_SCOPE), { phase: 'Sign' });
  }
}

/** Graph middleware: the step header on every request. */
class StepHeaderMiddleware implements Middleware {
  private nextMiddleware?: Middleware;
  constructor(private readonly stepId: string | undefined) {}
  async execute(context: Context): Promise<void> {
    const headers = new Headers(context.options?.headers);
    const step = stepIdNow(this.stepId);
    if (step) headers.set(STEP_HEADER, step);
    context.options = { ...context.options, headers: Object.fromEntries(headers.entries()) };
    await this.nextMiddleware?.execute(context);
  }
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }
}

/** Graph's AuthenticationHandler only signs https Graph hosts; on loopback this one signs. */
class LoopbackAuthMiddleware implements Middleware {
  private nextMiddleware?: Middleware;
  constructor(private readonly credential: TokenCredential) {}
  async execute(context: Context): Promise<void> {
    const token = await this.credential.getToken(GRAPH_SCOPE);
    const headers = new Headers(context.options?.headers);
    if (token) headers.set('authorization', `Bearer ${token.token}`);
    context.options = { ...context.options, headers: Object.fromEntries(headers.entries()) };
    await this.nextMiddleware?.execute(context);
  }
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }
}

function createGraphClient(credential: TokenCredential, opts: { baseUrl: string; loopback: boolean; stepId?: string; retry: AzureRetrySettings; requestTimeoutMs?: number }): Client {
  const authProvider: AuthenticationProvider = {
    getAccessToken: async () => (await credential.getToken(GRAPH_SCOPE))?.token ?? '',
  };
  // Graph's retry delay is in seconds and only used when the service sends no Retry-After.
  const retry = new RetryHandler(new RetryHandlerOptions(opts.retry.retryDelayMs / 1000, opts.retry.maxRetries));
  const chain: Middleware[] = [
    opts.loopback ? new LoopbackAuthMiddleware(credential) : new AuthenticationHandler(authProvider),
    new StepHeaderMiddleware(opts.stepId),
    retry,
    ...(opts.requestTimeoutMs !== undefined ? [new RequestTimeoutMiddleware(opts.requestTimeoutMs)] : []),
    new RedirectHandler(),
    new HTTPMessageHandler(),
  ];
  return Client.initWithMiddleware({ baseUrl: opts.baseUrl, middleware: chain, defaultVersion: 'v1.0' });
}

/** Builds the step's clients; cheap enough to do per step (no network until a call is made, SDK clients on first use). */
export function createAzureClients(options: AzureClientOptions): AzureClients {
  const endpoint = options.endpoint?.replace(/\/+$/, '');
  const loopback = endpoint !== undefined && isLoopback(endpoint);
  const credential = options.credential ?? (endpoint !== undefined ? new StaticTokenCredential() : new DefaultAzureCredential());
  const retry = { ...(loopback ? SIM_RETRY : CLOUD_RETRY), ...options.retry };
  const retryOptions: PipelineRetryOptions = {
    maxRetries: retry.maxRetries,
    retryDelayInMs: retry.retryDelayMs,
    maxRetryDelayInMs: retry.maxRetryDelayMs,
  };
  const armEndpoint = endpoint ?? ARM_ENDPOINT;
  const common = { endpoint: armEndpoint, retryOptions, credentialScopes: [ARM_SCOPE], allowInsecureConnection: loopback };
  const pipelineOpts = { stepId: options.stepId, ...(loopback ? { loopback: { credential } } : {}), ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}) };

  const lazy = <T>(make: () => T): (() => T) => {
    let made: T | undefined;
    return () => (made ??= make());
  };
  const arm = <T extends { pipeline: Pipeline }>(client: T): T => {
    configurePipeline(client.pipeline, pipelineOpts);
    return client;
  };
  // Built on first use: a step that only calls Graph never constructs the ARM clients.
  const network = lazy(() => arm(new NetworkManagementClient(credential, options.subscriptionId, { ...common, $host: armEndpoint })));
  const security = lazy(() => arm(new SecurityCenter(credential, options.subscriptionId, { ...common, $host: armEndpoint })));
  const compute = lazy(() => arm(new ComputeManagementClient(credential, options.subscriptionId, { endpoint: armEndpoint, retryOptions, allowInsecureConnection: loopback })));
  const storage = lazy(() => arm(new StorageManagementClient(credential, options.subscriptionId, { endpoint: armEndpoint, retryOptions, allowInsecureConnection: loopback })));
  const graph = lazy(() =>
    createGraphClient(credential, {
      baseUrl: `${endpoint ?? GRAPH_ENDPOINT}/`,
      loopback,
      ...(options.stepId ? { stepId: options.stepId } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      retry,
    }),
  );
  return {
    subscriptionId: options.subscriptionId,
    armEndpoint,
    get network() {
      return network();
    },
    get compute() {
      return compute();
    },
    get storage() {
      return storage();
    },
    get security() {
      return security();
    },
    get graph() {
      return graph();
    },
    lroPollIntervalMs: options.lroPollIntervalMs ?? (loopback ? 1 : 2000),
  };
}
