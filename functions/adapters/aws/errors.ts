import type { ErrorClass } from '../../core/actions/types.js';

/**
 * Maps an AWS SDK v3 error (or a network failure under it) to Cordon's stable error classes,
 * which the ASL `Retry`/`Catch` match on. The AWS error code is kept in the message so an
 * operator sees exactly what the cloud said.
 */
export interface ClassifiedError {
  errorClass: ErrorClass;
  /** The AWS error code (`InvalidInstanceID.NotFound`) or the Node error name/code. */
  code: string;
  message: string;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'TooManyRequestsException',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
]);
const TRANSIENT = new Set(['InternalError', 'InternalFailure', 'InternalException', 'InternalServerError', 'ServiceFailure', 'ServiceUnavailable', 'ServiceUnavailableException', 'Unavailable']);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ETIMEDOUT']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
const NOT_FOUND = new Set(['NoSuchEntity', 'NoSuchBucket', 'NoSuchKey', 'ResourceNotFoundException', 'NotFound', 'NotFoundException']);
const INVALID_TARGET = new Set(['InvalidParameterValue', 'InvalidParameter', 'InvalidInput', 'InvalidInputException', 'ValidationError', 'ValidationException', 'MalformedPolicyDocument', 'InvalidBucketName', 'IncorrectInstanceState', 'UnsupportedOperation']);
const CONFLICT = new Set(['InvalidGroup.Duplicate', 'EntityAlreadyExists', 'ConcurrentModification', 'ConcurrentModificationException', 'OperationAborted', 'ResourceConflictException', 'LimitExceeded', 'LimitExceededException']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function classOf(code: string, status: number | undefined): ErrorClass {
  if (THROTTLING.has(code)) return 'Throttled';
  if (TIMEOUTS.has(code)) return 'Timeout';
  if (TRANSIENT.has(code) || NETWORK.has(code)) return 'Transient';
  if (NOT_FOUND.has(code) || code.endsWith('.NotFound') || code.startsWith('InvalidInstanceID.') || code.startsWith('NoSuch')) return 'NotFound';
  if (code.startsWith('AccessDenied') || code === 'UnauthorizedOperation' || code === 'AuthFailure' || code.startsWith('InvalidClientTokenId') || code === 'ExpiredToken' || code === 'Forbidden') return 'AccessDenied';
  if (CONFLICT.has(code)) return 'Conflict';
  if (INVALID_TARGET.has(code) || code.endsWith('.Malformed')) return 'InvalidTarget';
  if (status === 429) return 'Throttled';
  if (status !== undefined && status >= 500) return 'Transient';
  if (status === 403) return 'AccessDenied';
  if (status === 404) return 'NotFound';
  return 'Unknown';
}

export function classifyAwsError(e: unknown): ClassifiedError {
  if (typeof e !== 'object' || e === null) return { errorClass: 'Unknown', code: 'Unknown', message: String(e) };
  const err = e as SdkErrorShape;
  // SDK v3 service exceptions carry the AWS code as `name`; Node socket errors as `code`.
  const nodeCode = typeof err.code === 'string' ? err.code : undefined;
  const name = typeof err.name === 'string' ? err.name : undefined;
  const code = (typeof err.Code === 'string' ? err.Code : undefined) ?? (name && name !== 'Error' ? name : undefined) ?? nodeCode ?? 'Unknown';
  const rawStatus = err.$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const errorClass = classOf(code, status) === 'Unknown' && nodeCode ? classOf(nodeCode, status) : classOf(code, status);
  const text = typeof err.message === 'string' && err.message !== '' ? err.message : 'no message';
  return { errorClass, code, message: `${code}${status ? ` (HTTP ${status})` : ''}: ${text}` };
}
