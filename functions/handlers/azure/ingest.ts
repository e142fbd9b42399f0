import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ingestText, ingestValue, normalizeGraphAlert, type IngestResult } from '../../core/findings/ingest.js';
import type { IntakeOutcome } from '../intake.js';

/**
 * Azure → Cordon: Defender for Cloud alerts and Microsoft Graph `AlertCreated` notifications,
 * through an Event Grid trigger (Event Grid schema or CloudEvents) or an HTTP webhook for custom
 * topics and Graph subscriptions. A Graph notification carries only the alert id: the alert is
 * read from Graph and normalized. Every finding then goes to the intake (record + start the
 * workflow: Step Functions in the cloud, the local engine locally); refused events are kept by
 * the intake and answered 200 so Event Grid does not redeliver what can never be accepted.
 */

export interface AzureIngestDeps {
  /** Records the findings and starts their workflows (intake.ts, or the local engine). */
  intake(result: IngestResult, rawEvent: unknown): Promise<IntakeOutcome>;
  /** GET /security/alerts_v2/{id} (adapters/azure/graph-alerts.ts). */
  fetchGraphAlert(alertId: string): Promise<unknown>;
}

export interface AzureIngestOutcome extends IntakeOutcome {
  validations: { validationCode: string }[];
}

/** Fetches the alerts Graph notifications announced and adds them to the result. A failed fetch throws: the delivery is retried. */
async function withGraphAlerts(result: IngestResult, deps: AzureIngestDeps): Promise<IngestResult> {
  const merged: IngestResult = { ...result, findings: [...result.findings], rejected: [...result.rejected] };
  for (const ref of result.graphAlertRefs) {
    const alert = await deps.fetchGraphAlert(ref.alertId);
    const normalized = normalizeGraphAlert(alert, `${ref.origin} → graph alert ${ref.alertId}`);
    merged.findings.push(...normalized.findings);
    merged.rejected.push(...normalized.rejected);
  }
  return merged;
}

async function process(result: IngestResult, raw: unknown, deps: AzureIngestDeps): Promise<AzureIngestOutcome> {
  const outcome = await deps.intake(await withGraphAlerts(result, deps), raw);
  return { ...outcome, validations: result.validations.map((v) => ({ validationCode: v.validationCode })) };
}

/** The Event Grid trigger: one event per invocation (either schema; the runtime answers the subscription handshake itself). */
export async function ingestEventGridEvent(event: unknown, context: InvocationContext, deps: AzureIngestDeps): Promise<AzureIngestOutcome> {
  const outcome = await process(ingestValue(event, `eventgrid:${context.invocationId}`), event, deps);
  for (const r of outcome.rejected) context.warn(`event rejected: ${r.reason}`);
  for (const i of outcome.incidents) context.log(`incident ${i.incidentId} (${i.playbook ?? 'no playbook'}): ${i.outcome}`);
  return outcome;
}

/**
 * The webhook: Event Grid schema with its `SubscriptionValidationEvent` (answered with
 * `validationResponse`), CloudEvents with the `WebHook-Request-Origin` OPTIONS handshake, and
 * Graph change notifications with the `validationToken` query handshake.
 */
export async function ingestWebhook(request: HttpRequest, context: InvocationContext, deps: AzureIngestDeps): Promise<HttpResponseInit> {
  if (request.method === 'OPTIONS') {
    const origin = request.headers.get('webhook-request-origin');
    if (!origin) return { status: 400, jsonBody: { error: 'InvalidInput', message: 'WebHook-Request-Origin: required for the CloudEvents handshake' } };
    return { status: 200, headers: { 'WebHook-Allowed-Origin': origin, 'WebHook-Allowed-Rate': '*', Allow: 'POST' } };
  }
  const validationToken = request.query.get('validationToken');
  if (validationToken !== null) return { status: 200, headers: { 'content-type': 'text/plain' }, body: validationToken };
  if (request.method !== 'POST') return { status: 405, headers: { Allow: 'POST, OPTIONS' } };

  const text = await request.text();
  const origin = `webhook:${context.invocationId}`;
  const result = ingestText(text, origin);
  const validation = result.validations[0];
  if (validation) {
    context.log('Event Grid subscription validation answered');
    return { status: 200, jsonBody: { validationResponse: validation.validationCode } };
  }
  let raw: unknown = text;
  try {
    raw = JSON.parse(text) as unknown;
  } catch {
    // Kept as text: the rejection names the parse problem.
  }
  const outcome = await process(result, raw, deps);
  for (const r of outcome.rejected) context.warn(`event rejected: ${r.reason}`);
  return { status: 200, jsonBody: { incidents: outcome.incidents, rejected: outcome.rejected } };
}
