import { EventGridDeserializer, isSystemEvent, type CloudEvent, type EventGridEvent } from '@azure/eventgrid';
import type { GridEventParts } from '../../core/findings/ingest.js';

/**
 * Event Grid deliveries read with the Azure SDK's `EventGridDeserializer`: it enforces each schema's
 * envelope (Event Grid schema: id, topic, subject, eventType, eventTime, dataVersion,
 * metadataVersion "1", data; CloudEvents 1.0: specversion, id, source, type) before anything of the
 * event is believed. What the event's `data` means (a Defender alert, a Graph notification) is the
 * pure core's business (core/findings/ingest.ts `ingestGridEvent`); the SDK stays out of the core.
 */
export type GridSchema = 'EventGridSchema' | 'CloudEvents 1.0';

export type GridDelivery =
  /** Not an Event Grid delivery at all (a Graph change notification, a bare alert): read it as it is. */
  | { kind: 'other' }
  /** One entry per delivered event, in order: a bad event is refused on its own, the others still read. */
  | { kind: 'events'; schema: GridSchema; events: (DeliveredEvent | RefusedEvent)[] };

export interface DeliveredEvent {
  ok: true;
  /** What the core reads: the event type, subject and data, as the SDK deserialized them. */
  parts: GridEventParts;
  /** The event as it was delivered (kept as evidence: its hash is of the sender's JSON, not of the SDK's model). */
  raw: unknown;
  /** Set for `Microsoft.EventGrid.SubscriptionValidationEvent`: the code the subscriber must echo back. */
  validationCode?: string;
}

export interface RefusedEvent {
  ok: false;
  /** The SDK's reason, prefixed with the schema: `EventGridSchema: event is missing required property 'topic'`. */
  reason: string;
  raw: unknown;
}

const deserializer = new EventGridDeserializer();
const VALIDATION = 'Microsoft.EventGrid.SubscriptionValidationEvent';

/** Which schema a delivery's first event claims, from the fields each schema requires. */
function schemaOf(first: unknown): GridSchema | undefined {
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return undefined;
  const o = first as Record<string, unknown>;
  if ('specversion' in o) return 'CloudEvents 1.0';
  if (typeof o['eventType'] === 'string' && ('metadataVersion' in o || 'dataVersion' in o || 'eventTime' in o)) return 'EventGridSchema';
  return undefined;
}

/** Reads one delivery (a parsed request body, or one event as the Functions host hands it over). */
export async function readGridDelivery(body: unknown): Promise<GridDelivery> {
  const items: unknown[] = Array.isArray(body) ? body : [body];
  const schema = schemaOf(items[0]);
  if (schema === undefined) return { kind: 'other' };
  const events = await Promise.all(items.map((item) => readOne(schema, item)));
  return { kind: 'events', schema, events };
}

async function readOne(schema: GridSchema, item: unknown): Promise<DeliveredEvent | RefusedEvent> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { ok: false, reason: `${schema}: event is not an object`, raw: item };
  const encoded = item as Record<string, unknown>;
  try {
    if (schema === 'CloudEvents 1.0') {
      const [event] = await deserializer.deserializeCloudEvents(encoded);
      return delivered({ type: event!.type, ...(event!.subject !== undefined ? { subject: event!.subject } : {}), data: event!.data }, item, event!);
    }
    const [event] = await deserializer.deserializeEventGridEvents(encoded);
    return delivered({ type: event!.eventType, subject: event!.subject, data: event!.data }, item, event!);
  } catch (e) {
    return { ok: false, reason: `${schema}: ${e instanceof Error ? e.message : String(e)}`, raw: item };
  }
}

function delivered(parts: GridEventParts, raw: unknown, event: EventGridEvent<unknown> | CloudEvent<unknown>): DeliveredEvent {
  const out: DeliveredEvent = { ok: true, parts, raw };
  // The SDK's own predicate for the handshake; its data is the SDK's SubscriptionValidationEventData.
  const code = isValidation(event) ? (event.data as { validationCode?: unknown } | undefined)?.validationCode : undefined;
  if (typeof code === 'string' && code !== '') out.validationCode = code;
  return out;
}

function isValidation(event: EventGridEvent<unknown> | CloudEvent<unknown>): boolean {
  return 'eventType' in event ? isSystemEvent(VALIDATION, event) : isSystemEvent(VALIDATION, event);
}
