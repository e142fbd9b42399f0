import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import type { ApprovalRecord } from '../../records/case-store.js';
import { issueLine } from '../../core/zod-issue.js';
import { cloudRecords, logger, metrics } from './runtime.js';

/**
 * Both halves of a person's approval (workflows/compile.ts, approval contract):
 *   - `request`: the `.waitForTaskToken` Task invokes this function with the token; the token is
 *     stored with the step (case store, idempotent per step) and audited, and the Task waits;
 *   - `decision`: `cordon approve|reject --cloud` (or any caller allowed to invoke it) sends the
 *     decision; it is recorded, then the stored token resumes the execution with
 *     SendTaskSuccess `{ approved: true }` or `{ approved: false, reason }`.
 */
const RequestSchema = z.object({
  taskToken: z.string().min(1),
  incidentId: z.string().min(1),
  stepId: z.string().min(1),
  action: z.string().min(1),
  target: z.object({ type: z.string(), id: z.string() }),
  timeoutSeconds: z.number().int().positive(),
});
const DecisionSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  incidentId: z.string().min(1),
  stepId: z.string().min(1),
  /** A display name beside the authenticated identity (optional: the identity is what counts). */
  by: z.string().min(1).optional(),
  reason: z.string().min(1).optional(),
});
/**
 * A decision arrives through the approval function's URL with AuthType AWS_IAM: the caller signs the
 * request (SigV4) and Lambda puts the authenticated principal in the event, which no caller can write.
 */
const FunctionUrlEventSchema = z.object({
  requestContext: z.object({ authorizer: z.object({ iam: z.object({ userArn: z.string().startsWith('arn:') }) }) }),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const ApprovalEventSchema = z.union([RequestSchema, FunctionUrlEventSchema]);

export type ApprovalOutcome =
  | { kind: 'requested'; incidentId: string; stepId: string; created: boolean; timeoutAt: string }
  | { kind: 'decided'; incidentId: string; stepId: string; status: ApprovalRecord['status'] };

export class ApprovalInputError extends Error {
  override readonly name = 'ApprovalInputError';
}

let sfn: SFNClient | undefined;

export async function handleApproval(event: unknown): Promise<ApprovalOutcome> {
  if (isRecord(event) && 'decision' in event) {
    throw new ApprovalInputError('approval decision: send it to the approval URL, signed by the approver (AWS_IAM); a direct invoke carries no identity');
  }
  const parsed = ApprovalEventSchema.safeParse(event);
  if (!parsed.success) throw new ApprovalInputError(`approval event ${issueLine(parsed.error, '(body)')}`);
  const { store, audit } = cloudRecords();
  const now = new Date();
  const request = parsed.data;

  if ('taskToken' in request) {
    const e = request;
    const timeoutAt = new Date(now.getTime() + e.timeoutSeconds * 1000).toISOString();
    const { created, record } = await store.requestApproval({ incident: e.incidentId, stepId: e.stepId, token: e.taskToken, requestedAt: now.toISOString(), timeoutAt });
    if (created) await audit.append({ incident: e.incidentId, event: 'approval.requested', data: { step: e.stepId, action: e.action, target: e.target, timeoutAt: record.timeoutAt } });
    logger.info('approval requested', { incidentId: e.incidentId, stepId: e.stepId, created });
    metrics.addMetric('ApprovalsRequested', MetricUnit.Count, created ? 1 : 0);
    return { kind: 'requested', incidentId: e.incidentId, stepId: e.stepId, created, timeoutAt: record.timeoutAt };
  }

  const principal = request.requestContext.authorizer.iam.userArn;
  const text = request.isBase64Encoded ? Buffer.from(request.body ?? '', 'base64').toString('utf8') : (request.body ?? '');
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new ApprovalInputError('approval decision body: not valid JSON');
  }
  const decision = DecisionSchema.safeParse(body);
  if (!decision.success) throw new ApprovalInputError(`approval decision ${issueLine(decision.error, '(body)')}`);
  const e = decision.data;
  // Who decided is the IAM principal Lambda authenticated; a name the caller typed is kept beside it.
  const by = e.by ? `${e.by} (${principal})` : principal;
  if (e.decision === 'reject' && e.reason === undefined) throw new ApprovalInputError('approval event reason: a rejection needs a reason');
  const record = await store.decideApproval(e.incidentId, e.stepId, {
    decision: e.decision === 'approve' ? 'approved' : 'rejected',
    by,
    at: now.toISOString(),
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
  });
  await audit.append({
    incident: e.incidentId,
    event: e.decision === 'approve' ? 'approval.approved' : 'approval.rejected',
    data: { step: e.stepId, by, principal, ...(e.reason !== undefined ? { reason: e.reason } : {}) },
  });
  sfn ??= new SFNClient({});
  const output = e.decision === 'approve' ? { approved: true } : { approved: false, reason: e.reason };
  await sfn.send(new SendTaskSuccessCommand({ taskToken: record.token, output: JSON.stringify(output) }));
  logger.info('approval decided', { incidentId: e.incidentId, stepId: e.stepId, decision: e.decision });
  metrics.addMetric(e.decision === 'approve' ? 'ApprovalsApproved' : 'ApprovalsRejected', MetricUnit.Count, 1);
  return { kind: 'decided', incidentId: e.incidentId, stepId: e.stepId, status: record.status };
}

export const handler = middy(handleApproval).use(injectLambdaContext(logger)).use(logMetrics(metrics));
