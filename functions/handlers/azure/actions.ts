import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import type { ErrorClass } from '../../core/actions/types.js';
import { runStep, type RunStepDeps } from '../../engine/run-step.js';
import { parseStepInput } from '../step-input.js';

/**
 * The Azure action runner behind `POST /api/actions`: the Step Functions HTTP Task of every
 * Azure action state calls it through an EventBridge connection that presents the shared secret
 * in `x-cordon-runner-secret`. A thin adapter around the step engine (engine/run-step.ts
 * `runStep`, the one the Lambda and the local engine run): the step is claimed in the case store,
 * audited and its evidence filed exactly like an AWS step. It answers per workflows/compile.ts: 200 with the ActionResult for succeeded / skipped; for a failed
 * result 429 (Throttled), 503 (Transient) or 504 (Timeout) — Step Functions retries those as
 * `States.Http.StatusCode.<code>` — and a non-retryable 4xx / 500 otherwise.
 */
export const RUNNER_SECRET_HEADER = 'x-cordon-runner-secret';

const FAILED_STATUS: Record<ErrorClass, number> = {
  Throttled: 429,
  Transient: 503,
  Timeout: 504,
  NotFound: 404,
  AccessDenied: 403,
  InvalidTarget: 422,
  Conflict: 409,
  // Precondition Required: the workflow catches States.Http.StatusCode.428 and asks a person.
  ApprovalRequired: 428,
  Unknown: 500,
};

export interface AzureRunnerDeps {
  /** The shared secret (Key Vault reference `CORDON_RUNNER_SECRET`). */
  secret: string;
  /** The step engine's records (the deployment's DynamoDB case store and audit chain) and its action runner (Azure actions, Azure clients for the step's subscription). */
  step: RunStepDeps;
}

/** Compares digests, so neither the content nor the length of the secret leaks through timing. */
export function secretMatches(presented: string | null, secret: string): boolean {
  if (presented === null || secret === '') return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

const problem = (status: number, error: string, message: string): HttpResponseInit => ({ status, jsonBody: { error, message } });

export async function runAzureAction(request: HttpRequest, context: InvocationContext, deps: AzureRunnerDeps): Promise<HttpResponseInit> {
  if (!secretMatches(request.headers.get(RUNNER_SECRET_HEADER), deps.secret)) {
    context.warn('action runner: missing or wrong shared secret');
    return { status: 401, headers: { 'www-authenticate': `ApiKey header="${RUNNER_SECRET_HEADER}"` }, jsonBody: { error: 'Unauthorized', message: `missing or wrong ${RUNNER_SECRET_HEADER}` } };
  }
  if (request.method !== 'POST') return { ...problem(405, 'MethodNotAllowed', 'POST a step input'), headers: { allow: 'POST' } };
  let body: unknown;
  try {
    body = JSON.parse(await request.text()) as unknown;
  } catch {
    return problem(400, 'InvalidInput', 'body: not valid JSON');
  }
  const parsed = parseStepInput(body);
  if (!parsed.ok) return problem(400, 'InvalidInput', parsed.problem);
  const { input } = parsed;
  if (ACTION_CATALOG[input.action].cloud !== 'azure') {
    return problem(400, 'InvalidInput', `action: ${input.action} is not an Azure action (the Lambda action runner runs it)`);
  }
  const result = await runStep(input, deps.step);
  context.log(`action ${input.action} ${input.target.id}: ${result.status}`);
  if (result.status !== 'failed') return { status: 200, jsonBody: result };
  return { status: FAILED_STATUS[result.errorClass], jsonBody: { error: `Cordon.${result.errorClass}`, errorClass: result.errorClass, message: result.message } };
}
