/**
 * A hand-built ARM request sent through an SDK client's own pipeline (auth, retries, step header),
 * for the few calls the installed SDKs get wrong or lack:
 * - Defender alert → InProgress (`POST …/alerts/{name}/inProgress`, api-version 2022-01-01):
 *   `@azure/arm-security` 5.0.0 has no such method;
 * - storage account PATCH of `allowBlobPublicAccess` alone: `@azure/arm-storage` 20.0.0's
 *   serializer checks "AllowBlobPublicAccess" (wrong case) when deciding whether to send
 *   `properties`, so an update setting only that field sends an empty body.
 */
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type Pipeline,
} from '@azure/core-rest-pipeline';

export interface ArmRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** ARM id or path, starting with `/subscriptions/`. */
  path: string;
  apiVersion: string;
  body?: unknown;
}

const httpClient = createDefaultHttpClient();

/** Sends `request` to `endpoint` via `pipeline`; non-2xx answers throw a RestError carrying ARM's error code. */
export async function sendArmRequest(pipeline: Pipeline, endpoint: string, request: ArmRequest): Promise<unknown> {
  const url = `${endpoint.replace(/\/+$/, '')}${request.path.replace(/\/+$/, '')}?api-version=${encodeURIComponent(request.apiVersion)}`;
  const req = createPipelineRequest({
    url,
    method: request.method,
    headers: createHttpHeaders({ accept: 'application/json', ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}) }),
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
  });
  const response = await pipeline.sendRequest(httpClient, req);
  const parsed = parse(response.bodyAsText ?? undefined);
  if (response.status < 200 || response.status >= 300) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new RestError(error?.message ?? `HTTP ${response.status}`, { code: error?.code, statusCode: response.status, request: req, response });
  }
  return parsed;
}

function parse(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
