import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { eventBridgePublisher } from '../../adapters/aws/lifecycle-events.js';
import type { LifecyclePublisher } from '../../core/lifecycle.js';
import { bestEffort } from '../lifecycle.js';
import type { HandlerEnv } from './env.js';
import { logger } from './runtime.js';

/**
 * The lifecycle publisher of the Lambdas that emit events (ingest, clock-reminder), in its own module
 * so the other bundles carry no EventBridge client.
 */
let lifecycle: LifecyclePublisher | undefined;

/** Lifecycle events to the deployment's EventBridge bus (CORDON_EVENT_BUS), logged and dropped on failure; none when unset. */
export function lifecyclePublisher(env: HandlerEnv): LifecyclePublisher | undefined {
  if (!env.CORDON_EVENT_BUS) return undefined;
  lifecycle ??= bestEffort(eventBridgePublisher(new EventBridgeClient({}), env.CORDON_EVENT_BUS), (message, error) => logger.warn(message, { error }));
  return lifecycle;
}
