import type { TokenCredential } from '@azure/core-auth';
import { EventGridPublisherClient, type AzureKeyCredential } from '@azure/eventgrid';
import { LIFECYCLE_DATA_VERSION, lifecycleSubject, type LifecyclePublisher } from '../../core/lifecycle.js';
import { isLoopback } from './clients.js';

/**
 * Lifecycle events (core/lifecycle.ts) to an Event Grid custom topic through the SDK's publisher
 * client, in the Event Grid schema: `eventType` the event's type, `subject` cordon/incidents/<id>
 * (subscriptions filter on either), `data` the event.
 */
export function eventGridPublisher(client: EventGridPublisherClient<'EventGrid'>): LifecyclePublisher {
  return async (event) => {
    await client.send([{ eventType: event.type, subject: lifecycleSubject(event), dataVersion: LIFECYCLE_DATA_VERSION, eventTime: new Date(event.at), data: event }]);
  };
}

/**
 * The topic's publisher client: in the cloud with the Function App's managed identity (role
 * "EventGrid Data Sender" on the topic, no key to store); a loopback receiver (tests, the simulated
 * estate) is plain http, which the SDK refuses unless told — only ever for loopback.
 */
export function eventGridTopicClient(endpoint: string, credential: TokenCredential | AzureKeyCredential): EventGridPublisherClient<'EventGrid'> {
  return new EventGridPublisherClient(endpoint, 'EventGrid', credential, isLoopback(endpoint) ? { allowInsecureConnection: true } : {});
}
