import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { Buffer } from 'node:buffer';
import { MAX_EVENT_BYTES, ingestGridEvent, ingestText, ingestValue, normalizeGraphAlert, type IngestResult } from '../../core/findings/ingest.js';
import { readGridDelivery, type DeliveredEvent, type RefusedEvent } from '../../adapters/azure/event-grid.js';
import type { IntakeOutcome } from '../intake.js';
import { verifyDelivery, type DeliveryChecks } from './verify-delivery.js';

/**
 * Azure → Cordon: Defender for Cloud alerts and Microsoft Graph `AlertCreated` notifications,
 * through an Event Grid trigger (Event Grid schema or CloudEvents) or an HTTP webhook for custom
 * topics and Graph subscriptions. A Graph notification carries only the alert id: the alert is
 * read from Graph and normalized. Every finding then goes to the intake (record + start the
 * workflow: Step Functions in the cloud, the local engine locally); refused events are kept by
 * the intake and answered 200 so Event Grid does not redeliver what can never be accepted.
 */

export interface AzureIngestDeps extends DeliveryChecks {
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
  // The body proves nothing by itself: verified against the clouds before anything is planned.
  const outcome = await deps.intake(await withGraphAlerts(await verifyDelivery(result, deps), deps), raw);
  return { ...outcome, validations: result.validations.map((v) => ({ validationCode: v.validationCode })) };
}

/**
 * An Event Grid delivery read with the SDK's deserializer (adapters/azure/event-grid.ts), each event's
 * meaning by the core: one result for the whole delivery, a refused envelope rejected on its own
 * (naming its index in a batch) while the others are still read.
 */
function ingestDelivered(events: readonly (DeliveredEvent | RefusedEvent)[], origin: string): IngestResult {
  const merged: IngestResult = { findings: [], rejected: [], validations: [], graphAlertRefs: [] };
  events.forEach((event, i) => {
    const at = events.length === 1 ? origin : `${origin} [${i}]`;
    const one: IngestResult = event.ok ? ingestGridEvent(event.parts, event.raw, at) : { findings: [], rejected: [{ file: at, reason: event.reason }], validations: [], graphAlertRefs: [] };
    merged.findings.push(...one.findings);
    merged.rejected.push(...one.rejected);
    merged.validations.push(...one.validations);
    merged.graphAlertRefs.push(...one.graphAlertRefs);
  });
  return merged;
}

/**
 * The Event Grid trigger: one event per invocation, either schema. The runtime answers the
 * subscription handshake itself; a validation event that still reaches the function is only logged.
 */
export async function ingestEventGridEvent(event: unknown, context: InvocationContext, deps: AzureIngestDeps): Promise<AzureIngestOutcome> {
  const origin = `eventgrid:${context.invocationId}`;
  const delivery = await readGridDelivery(event);
  const result = delivery.kind === 'events' ? ingestDelivered(delivery.events, origin) : ingestValue(event, origin);
  const outcome = await process(result, event, deps);
  for (const r of outcome.rejected) context.warn(`event rejected: ${r.reason}`);
  for (const i of outcome.incidents) context.log(`incident ${i.incidentId} (${i.playbook ?? 'no playbook'}): ${i.outcome}`);
  return outcome;
}

/**
 * The webhook: Event Grid schema with its `SubscriptionValidationEvent` (answered with
 * `validationResponse`), CloudEvents with the `WebHook-Request-Origin` OPTIONS handshake, and
 * Graph change notifications with the `validationToken` query handshake. Event Grid deliveries are
 * read with the SDK's deserializer; anything else (Graph notifications, a bare alert) by the core.
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
  const parsed = parseBody(text);
  const delivery = parsed.ok ? await readGridDelivery(parsed.value) : ({ kind: 'other' } as const);
  if (delivery.kind === 'events') {
    const validation = delivery.events.find((e): e is DeliveredEvent => e.ok && e.validationCode !== undefined);
    if (validation) {
      context.log('Event Grid subscription validation answered');
      return { status: 200, jsonBody: { validationResponse: validation.validationCode } };
    }
  }
  // Too large, not JSON, or not Event Grid: the core reads the text and names what is wrong with it.
  const result = delivery.kind === 'events' ? ingestDelivered(delivery.events, origin) : ingestText(text, origin);
  const outcome = await process(result, parsed.ok ? parsed.value : text, deps);
  for (const r of outcome.rejected) context.warn(`event rejected: ${r.reason}`);
  return { status: 200, jsonBody: { incidents: outcome.incidents, rejected: outcome.rejected } };
}

/** The body as JSON, when it is within the size limit and parses; otherwise the core's rejection applies. */
function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (Buffer.byteLength(text, 'utf8') > MAX_EVENT_BYTES) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as unknown };
  } catch {
    return { ok: false };
  }
}
