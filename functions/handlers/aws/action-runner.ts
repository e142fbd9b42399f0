import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createAwsClients } from '../../adapters/aws/clients.js';
import type { ActionResult, ErrorClass } from '../../core/actions/types.js';
import { AWS_ACTIONS } from '../../actions/aws/index.js';
import { dispatchActions } from '../../actions/dispatch.js';
import { runStep } from '../../engine/run-step.js';
import { liveTagCheck } from '../../engine/live-check.js';
import { readAwsLiveTags } from '../../adapters/aws/live-tags.js';
import { stepCorrelation } from '../../core/correlation.js';
import type { StepInput } from '../../../workflows/input.js';
import { parseStepInput } from '../step-input.js';
import { cloudRecords, logger, metrics, ownAccount } from './runtime.js';

/**
 * The Task target of every AWS (and Cordon) action state: one action on one target. In another
 * account it first assumes `CordonResponder` there with the deployment's external id. A thin
 * adapter around the step engine (engine/run-step.ts `runStep`, shared with the Azure Function
 * and the local engine): a failed result is thrown as `Cordon.<ErrorClass>`, the error name the
 * state machine's Retry and Catch match (workflows/compile.ts).
 */

export class ActionFailedError extends Error {
  constructor(errorClass: ErrorClass, message: string) {
    super(message);
    this.name = `Cordon.${errorClass}`;
  }
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
interface Cached {
  credentials: Credentials;
  expires: number;
}
const assumed = new Map<string, Cached>();
let sts: STSClient | undefined;

/** Temporary credentials of the member account's responder role, reused until five minutes before they expire. */
async function responderCredentials(account: string, incidentId: string, role: string, externalId: string): Promise<Credentials> {
  const cached = assumed.get(account);
  if (cached && cached.expires - Date.now() > 5 * 60_000) return cached.credentials;
  sts ??= new STSClient({});
  const answer = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/${role}`,
      RoleSessionName: `cordon-${incidentId}`.slice(0, 64),
      ExternalId: externalId,
      DurationSeconds: 900,
    }),
  );
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${role} in ${account} returned no credentials`);
  const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}) };
  assumed.set(account, { credentials, expires: c.Expiration?.getTime() ?? Date.now() + 900_000 });
  return credentials;
}

export async function runAction(event: unknown, context: Pick<Context, 'invokedFunctionArn'>): Promise<ActionResult> {
  const parsed = parseStepInput(event);
  // A malformed payload is a state machine bug, not a cloud failure: no retry can help.
  if (!parsed.ok) throw new ActionFailedError('Unknown', `action runner payload ${parsed.problem}`);
  const input: StepInput = parsed.input;
  const { store, audit, evidence, env } = cloudRecords();
  const now = () => new Date();

  // A provider, not credentials: the role is assumed only when a call is signed, so a step already
  // done (or one that needs no cloud call) costs no STS round trip.
  let credentials: (() => Promise<Credentials>) | undefined;
  const { CORDON_RESPONDER_ROLE: role, CORDON_RESPONDER_EXTERNAL_ID: externalId } = env;
  if (input.account !== ownAccount(context.invokedFunctionArn) && role && externalId && /^\d{12}$/.test(input.account)) {
    credentials = () => responderCredentials(input.account, input.incidentId, role, externalId);
  }
  // AWS and Cordon actions only: Azure actions go to the Azure Function runner (workflows/compile.ts).
  const clients = createAwsClients({ region: input.region, stepId: stepCorrelation(input), ...(credentials ? { credentials } : {}) });
  const executeAction = dispatchActions({ aws: AWS_ACTIONS }, {
    aws: () => ({ clients, now }),
    cordon: () => ({ store, now }),
  });
  // The target's tags as they are now, read with the same role the action uses (fail closed: engine/live-check.ts).
  const checks = [liveTagCheck((i) => readAwsLiveTags(clients, i))];

  const result = await runStep(input, { store, audit, evidence, executeAction, now, checks });
  logger.info('step', { incidentId: input.incidentId, stepId: input.stepId, status: result.status, ...(result.status === 'failed' ? { errorClass: result.errorClass } : {}) });
  metrics.addMetric(result.status === 'failed' ? 'StepsFailed' : 'StepsDone', MetricUnit.Count, 1);
  if (result.status === 'failed') throw new ActionFailedError(result.errorClass, result.message);
  return result;
}

export const handler = middy(runAction).use(injectLambdaContext(logger)).use(logMetrics(metrics));
