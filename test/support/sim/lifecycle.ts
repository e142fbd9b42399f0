import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse, SimService } from '../../../functions/sim/server.js';
import { jsonResponse } from '../../../functions/sim/aws/wire.js';

/**
 * Loopback receivers for Cordon's lifecycle events, reached through the real SDK clients: an
 * EventBridge bus (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`) and an Event Grid custom
 * topic (`POST /api/events`, key in `aeg-sas-key`, Event Grid schema). Each keeps what it was sent,
 * as a subscriber would see it.
 */

export interface ReceivedEntry {
  EventBusName: string;
  Source: string;
  DetailType: string;
  Detail: unknown;
  Resources: string[];
  Time?: number;
}

export class EventBridgeReceiver implements SimService {
  readonly name = 'events';
  readonly received: ReceivedEntry[] = [];
  constructor(private readonly buses: readonly string[]) {}

  identify(req: SimRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    return req.method === 'POST' && typeof target === 'string' && target.startsWith('AWSEvents.') ? `events:${target.slice('AWSEvents.'.length)}` : undefined;
  }

  handle(req: SimRequest, operation: string): SimResponse {
    if (operation !== 'events:PutEvents') return jsonResponse(400, { __type: 'UnknownOperationException', message: operation });
    const input = JSON.parse(req.body.toString('utf8')) as { Entries: (Omit<ReceivedEntry, 'Detail'> & { Detail: string })[] };
    const results = input.Entries.map((entry) => {
      // PutEvents answers 200 and refuses entries one by one (ErrorCode per entry, FailedEntryCount).
      if (!this.buses.includes(entry.EventBusName)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      this.received.push({ ...entry, Detail: detail, Resources: entry.Resources ?? [] });
      return { EventId: randomUUID() };
    });
    return jsonResponse(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results }, { 'content-type': 'application/x-amz-json-1.1' });
  }

  throttled(): SimResponse {
    return jsonResponse(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
  }

  internalError(): SimResponse {
    return jsonResponse(500, { __type: 'InternalException', message: 'Internal error' });
  }
}

export interface ReceivedGridEvent {
  id: string;
  eventType: string;
  subject: string;
  eventTime: string;
  dataVersion: string;
  data: unknown;
}

export class EventGridTopicReceiver implements SimService {
  readonly name = 'eventgrid';
  readonly received: ReceivedGridEvent[] = [];
  constructor(private readonly key: string) {}

  identify(req: SimRequest): string | undefined {
    return req.method === 'POST' && req.path === '/api/events' ? 'eventgrid:PublishEvents' : undefined;
  }

  handle(req: SimRequest): SimResponse {
    if (req.headers['aeg-sas-key'] !== this.key) return jsonResponse(401, { error: { code: 'Unauthorized', message: 'The request authorization key is not authorized.' } });
    const events = JSON.parse(req.body.toString('utf8')) as ReceivedGridEvent[];
    for (const e of events) {
      // The topic's schema check: an Event Grid schema event lacking a required field is refused whole.
      for (const field of ['id', 'eventType', 'subject', 'eventTime', 'dataVersion'] as const) {
        if (typeof e[field] !== 'string' || e[field] === '') return jsonResponse(400, { error: { code: 'BadRequest', message: `Required property '${field}' was not set.` } });
      }
    }
    this.received.push(...events);
    return { status: 200 };
  }

  throttled(): SimResponse {
    return jsonResponse(429, { error: { code: 'TooManyRequests', message: 'Too many requests' } });
  }

  internalError(): SimResponse {
    return jsonResponse(500, { error: { code: 'InternalServerError', message: 'Internal error' } });
  }
}
