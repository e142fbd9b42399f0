import type { Clock, Incident } from './model.js';

/**
 * Cordon's lifecycle events: what ticketing, paging and chat tools subscribe to without code.
 * One contract for both clouds (the adapters only wrap it):
 * - AWS: an EventBridge event on the deployment's bus, `source` {@link LIFECYCLE_SOURCE},
 *   `detail-type` = the event's `type`, `detail` = the event (type included);
 * - Azure: an Event Grid event (Event Grid schema) on the deployment's custom topic, `eventType` =
 *   `type`, `subject` = {@link lifecycleSubject}, `dataVersion` {@link LIFECYCLE_DATA_VERSION},
 *   `data` = the event.
 * Adding a field is compatible; renaming or removing one is a new `dataVersion`.
 */
export const LIFECYCLE_SOURCE = 'cordon';
export const LIFECYCLE_DATA_VERSION = '1';

export const LIFECYCLE_TYPES = ['Cordon.Incident.Opened', 'Cordon.Clock.Reminder'] as const;
export type LifecycleType = (typeof LIFECYCLE_TYPES)[number];

/** A new incident was recorded (never again for a redelivery of its finding). */
export interface IncidentOpened {
  type: 'Cordon.Incident.Opened';
  incident: string;
  /** When Cordon recorded it (ISO-8601 UTC). */
  at: string;
  playbook: string | null;
  finding: { id: string; source: string; cloud: string; type: string; severity: string; account: string; region: string; sample: boolean };
  /** What the workflow will do: planned steps per phase, and the steps a safety rule skipped. */
  steps: { contain: number; preserve: number; notify: number; skipped: number };
  clocks: Pick<Clock, 'regime' | 'deadline'>[];
}

/** A regulatory clock's reminder fell due (once per clock and offset, however many senders race). */
export interface ClockReminder {
  type: 'Cordon.Clock.Reminder';
  incident: string;
  at: string;
  regime: string;
  awareAt: string;
  deadline: string;
  /** The reminder's offset before the deadline (negative: after it). */
  offsetHours: number;
  /** True when the deadline has already passed with nothing recorded. */
  overdue: boolean;
}

export type LifecycleEvent = IncidentOpened | ClockReminder;

/** Sends one lifecycle event (EventBridge on AWS, Event Grid on Azure). */
export type LifecyclePublisher = (event: LifecycleEvent) => Promise<void>;

/** The Event Grid `subject` (and the EventBridge `resources` entry): filterable by incident. */
export function lifecycleSubject(event: LifecycleEvent): string {
  return `cordon/incidents/${event.incident}`;
}

export function incidentOpened(incident: Incident, at: string): IncidentOpened {
  const f = incident.finding;
  const count = (phase: string) => incident.steps.filter((s) => s.phase === phase).length;
  return {
    type: 'Cordon.Incident.Opened',
    incident: incident.id,
    at,
    playbook: incident.playbook,
    finding: { id: f.id, source: f.source, cloud: f.cloud, type: f.type, severity: f.severity, account: f.account, region: f.region, sample: f.sample },
    steps: { contain: count('contain'), preserve: count('preserve'), notify: count('notify'), skipped: incident.skipped.length },
    clocks: incident.clocks.map((c) => ({ regime: c.regime, deadline: c.deadline })),
  };
}

export function clockReminder(clock: { incident: string } & Clock, offsetHours: number, now: Date): ClockReminder {
  return {
    type: 'Cordon.Clock.Reminder',
    incident: clock.incident,
    at: now.toISOString(),
    regime: clock.regime,
    awareAt: clock.awareAt,
    deadline: clock.deadline,
    offsetHours,
    overdue: Date.parse(clock.deadline) <= now.getTime(),
  };
}
