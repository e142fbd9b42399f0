import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, type FailureKind, type FaultRule } from './faults.js';

/** The header the SDK clients set so the estate can attribute each call to a workflow step. */
export { STEP_HEADER } from '../core/correlation.js';
import { STEP_HEADER } from '../core/correlation.js';

export interface SimRequest {
  method: string;
  /** Path without the query string, decoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * One wire protocol of the estate (EC2 query, S3 REST-XML, ARM JSON …). `identify` names the
 * operation in permission style (`ec2:ModifyInstanceAttribute`) or returns undefined when the
 * request is not this service's; the server applies faults and logs calls around `handle`.
 */
export interface SimService {
  readonly name: string;
  identify(req: SimRequest): string | undefined;
  handle(req: SimRequest, operation: string): Promise<SimResponse> | SimResponse;
  /** The service's real throttling answer (RequestLimitExceeded, ThrottlingException, 429 …). */
  throttled(req: SimRequest, operation: string): SimResponse;
  /** The service's real shape for an internal error (HTTP 500). */
  internalError(req: SimRequest, operation: string): SimResponse;
  /** The service's real refusal for a caller without the permission (UnauthorizedOperation, AuthorizationFailed …). */
  accessDenied?(req: SimRequest, operation: string): SimResponse;
}

export interface SimCall {
  /** Step id from the x-cordon-step header, or '' when the caller named none. */
  step: string;
  operation: string;
  status: number;
  at: string;
  fault?: FailureKind;
  /** Refused by the estate's API rate limits (answered with the service's throttling error). */
  rateLimited?: true;
}

export interface SimServerOptions {
  services: readonly SimService[];
  faults?: readonly FaultRule[];
  /** Latency added to every call of an operation (ms), the estate's latency profile; `*` for all. */
  latency?: Readonly<Record<string, number>>;
  /** Called after each call is answered, with the state already changed (the attacker model re-judges its footholds). */
  onServed?: (call: SimCall) => void;
  /** API request rate limits: false = answer this call with the service's throttling error (sim/rate-limit.ts). */
  admit?: (req: SimRequest, operation: string) => boolean;
  host?: string;
  port?: number;
}

export interface RunningSimServer {
  url: string;
  calls: SimCall[];
  /** Calls for one step, in the order served. */
  callsFor(step: string): SimCall[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startSimServer(options: SimServerOptions): Promise<RunningSimServer> {
  const faults = new FaultInjector(options.faults ?? []);
  const calls: SimCall[] = [];
  const latency = options.latency ?? {};

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://sim.local');
        const simReq: SimRequest = {
          method: req.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        let answer: SimResponse;
        let operation = 'unknown';
        let fault: FailureKind | undefined;
        let rateLimited = false;
        try {
          const service = options.services.find((s) => s.identify(simReq) !== undefined);
          if (!service) {
            answer = { status: 404, headers: { 'content-type': 'text/plain' }, body: `simulated estate: no service for ${simReq.method} ${simReq.path}` };
          } else {
            operation = service.identify(simReq) ?? 'unknown';
            // The bucket is read when the call arrives, as the cloud does; the answer still takes the call's latency.
            rateLimited = options.admit ? !options.admit(simReq, operation) : false;
            const injected = faults.next(operation);
            const delay = (latency[operation] ?? latency['*'] ?? 0) + injected.latencyMs;
            if (delay > 0) await sleep(delay);
            fault = injected.failure;
            if (rateLimited || fault === 'throttle') answer = service.throttled(simReq, operation);
            else if (fault === 'error') answer = service.internalError(simReq, operation);
            else if (fault === 'accessDenied') answer = service.accessDenied?.(simReq, operation) ?? { status: 403, headers: { 'content-type': 'text/plain' }, body: `simulated estate: access denied to ${operation}` };
            else answer = await service.handle(simReq, operation);
          }
        } catch (e) {
          answer = { status: 500, headers: { 'content-type': 'text/plain' }, body: `simulated estate error: ${(e as Error).message}` };
        }
        const step = req.headers[STEP_HEADER];
        const call: SimCall = { step: typeof step === 'string' ? step : '', operation, status: answer.status, at: new Date().toISOString(), ...(fault ? { fault } : {}), ...(rateLimited ? { rateLimited: true as const } : {}) };
        calls.push(call);
        options.onServed?.(call);
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      })();
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsFor: (step) => calls.filter((c) => c.step === step),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
