import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LIFECYCLE_SOURCE, lifecycleSubject, type LifecyclePublisher } from '../../core/lifecycle.js';

/**
 * Lifecycle events (core/lifecycle.ts) to an EventBridge bus: `source` "cordon", `detail-type` the
 * event's type, `detail` the event, `resources` its subject, so a rule matches on any of them.
 * PutEvents answers 200 even when it refused an entry: a refused entry throws here, naming why.
 */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): LifecyclePublisher {
  return async (event) => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: busName, Source: LIFECYCLE_SOURCE, DetailType: event.type, Detail: JSON.stringify(event), Resources: [lifecycleSubject(event)], Time: new Date(event.at) }],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new Error(`EventBridge refused ${event.type} for ${event.incident}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  };
}
