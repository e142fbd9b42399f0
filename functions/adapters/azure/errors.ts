import type { ErrorClass } from '../../core/actions/types.js';

/**
 * Maps an error from an ARM client (RestError), the Graph client (GraphError) or the network to
 * Cordon's stable error classes; the message names the service's error code so a failed step
 * says *why* (`ResourceNotFound: The Resource … was not found`).
 */
export function classifyAzureError(e: unknown): { errorClass: ErrorClass; message: string } {
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    name?: unknown;
  };
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const text = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  const message = code && !text.startsWith(code) ? `${code}: ${text}` : text;
  return { errorClass: classify(status, code, err.name), message };
}

const NOT_FOUND_CODES = new Set(['ResourceNotFound', 'ResourceGroupNotFound', 'NotFound', 'Request_ResourceNotFound', 'ParentResourceNotFound', 'itemNotFound']);
const ACCESS_CODES = new Set(['AuthorizationFailed', 'LinkedAuthorizationFailed', 'Authorization_RequestDenied', 'AuthenticationFailed', 'InvalidAuthenticationToken', 'Forbidden']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'REQUEST_SEND_ERROR', 'UND_ERR_SOCKET']);

function classify(status: number | undefined, code: string | undefined, name: unknown): ErrorClass {
  if (status === 429 || code === 'TooManyRequests') return 'Throttled';
  // Graph wraps a fetch aborted by its timeout signal as GraphError { statusCode: -1, code: 'TimeoutError' }.
  if (status === 408 || status === 504 || code === 'ETIMEDOUT' || code === 'GatewayTimeout' || code === 'TimeoutError' || name === 'AbortError' || name === 'TimeoutError') return 'Timeout';
  if (status !== undefined && status >= 500) return 'Transient';
  if (status === 404 || (code !== undefined && NOT_FOUND_CODES.has(code))) return 'NotFound';
  if (status === 401 || status === 403 || (code !== undefined && ACCESS_CODES.has(code))) return 'AccessDenied';
  if (status === 409 || code === 'Conflict' || code === 'AnotherOperationInProgress') return 'Conflict';
  if (status === 400) return 'InvalidTarget';
  if (status === undefined && code !== undefined && NETWORK_CODES.has(code)) return 'Transient';
  return 'Unknown';
}
