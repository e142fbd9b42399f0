import type { LifecyclePublisher } from '../core/lifecycle.js';

/**
 * Lifecycle events inform people and tools; they never hold up a response. A publish that fails is
 * logged and dropped here, so containment, preservation and the record go on — and a failed publish
 * cannot make the cloud redeliver a finding (a redelivery is no new incident, so no second event).
 */
export function bestEffort(publish: LifecyclePublisher, warn: (message: string, error: unknown) => void): LifecyclePublisher {
  return async (event) => {
    try {
      await publish(event);
    } catch (e) {
      warn(`lifecycle event ${event.type} for ${event.incident} not published`, e);
    }
  };
}
