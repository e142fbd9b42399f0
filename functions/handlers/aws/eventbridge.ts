import type middy from '@middy/core';
import * as z from 'zod';
import { issueLine } from '../../core/zod-issue.js';

/**
 * The EventBridge envelope, validated before ingest looks inside it. Ours rather than the
 * Powertools parser's schema: that module pulls all of zod (locales included) into the bundle.
 */
export const EventBridgeEnvelope = z.object({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});
export type EventBridgeEvent = z.infer<typeof EventBridgeEnvelope>;

export type ParsedEnvelope = { success: true; data: EventBridgeEvent } | { success: false; problem: string; originalEvent: unknown };

export function parseEnvelope(event: unknown): ParsedEnvelope {
  const parsed = EventBridgeEnvelope.safeParse(event);
  if (parsed.success) return { success: true, data: parsed.data };
  return { success: false, problem: issueLine(parsed.error, '(event)'), originalEvent: event };
}

/** middy middleware: replaces the raw event with the parse outcome, never throws. */
export const envelope = (): middy.MiddlewareObj<unknown> => ({
  before: (request) => {
    request.event = parseEnvelope(request.event);
  },
});
