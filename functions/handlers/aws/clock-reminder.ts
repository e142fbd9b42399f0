import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { HOUR_MS, dueReminders, formatDuration } from '../../core/clocks/clocks.js';
import { clockReminder, type LifecyclePublisher } from '../../core/lifecycle.js';
import type { AuditTrail } from '../../records/audit-log.js';
import type { CaseStore, ClockRecord } from '../../records/case-store.js';
import { required } from './env.js';
import { cloudRecords, logger, metrics } from './runtime.js';
import { lifecyclePublisher } from './lifecycle.js';

/**
 * Regulatory clock reminders (GDPR Art. 33, NIS2 Art. 23). Invoked by the 15-minute schedule
 * and by the clock-watch state machine's tasks; either way it sends every reminder that is due
 * and not yet sent — the case store's `recordReminder` makes each one go out once, however
 * many invocations race — to the SNS topic, and audits it. A clock closed by a person sends
 * nothing more.
 */

export interface SentReminder {
  incidentId: string;
  regime: string;
  deadline: string;
  offsetHours: number;
}

export interface ReminderDeps {
  store: CaseStore;
  audit: AuditTrail;
  publish(subject: string, message: string): Promise<void>;
  /** The `Cordon.Clock.Reminder` lifecycle event beside the SNS message (best effort). */
  lifecycle?: LifecyclePublisher;
  now: Date;
}

function due(clock: ClockRecord, now: Date) {
  const sent = clock.remindersSent.map((r) => `${clock.regime}@${clock.deadline}-${r.offsetHours * HOUR_MS}`);
  return dueReminders([clock], now, clock.reminderOffsetsHours.map((h) => h * HOUR_MS), sent);
}

export async function sendDueReminders(deps: ReminderDeps): Promise<SentReminder[]> {
  const out: SentReminder[] = [];
  for (const clock of await deps.store.listOpenClocks()) {
    for (const reminder of due(clock, deps.now)) {
      const offsetHours = reminder.offsetMs / HOUR_MS;
      if (!(await deps.store.recordReminder(clock.incident, clock.regime, offsetHours, deps.now.toISOString()))) continue;
      const left = Date.parse(clock.deadline) - deps.now.getTime();
      const when = left > 0 ? `due in ${formatDuration(left)}` : `overdue by ${formatDuration(-left)}`;
      await deps.publish(
        `Cordon: ${clock.regime} notification for ${clock.incident} ${when}`.slice(0, 99),
        `Incident ${clock.incident}: the ${clock.regime} notification is ${when} (deadline ${clock.deadline}, aware since ${clock.awareAt}).\n` +
          `Record the notification with: cordon clocks notify ${clock.incident} --regime ${clock.regime} --reference <ref>`,
      );
      await deps.audit.append({ incident: clock.incident, event: 'clock.reminder', data: { regime: clock.regime, deadline: clock.deadline, offsetHours, channel: 'sns' } });
      await deps.lifecycle?.(clockReminder(clock, offsetHours, deps.now));
      out.push({ incidentId: clock.incident, regime: clock.regime, deadline: clock.deadline, offsetHours });
    }
  }
  return out;
}

let sns: SNSClient | undefined;

export async function remind(): Promise<{ sent: SentReminder[] }> {
  const { store, audit, env } = cloudRecords();
  const topic = required(env, 'CORDON_TOPIC_ARN');
  const lifecycle = lifecyclePublisher(env);
  sns ??= new SNSClient({});
  const client = sns;
  const sent = await sendDueReminders({
    store,
    audit,
    now: new Date(),
    ...(lifecycle ? { lifecycle } : {}),
    publish: async (subject, message) => {
      await client.send(new PublishCommand({ TopicArn: topic, Subject: subject, Message: message }));
    },
  });
  for (const s of sent) logger.info('reminder sent', { ...s });
  metrics.addMetric('RemindersSent', MetricUnit.Count, sent.length);
  return { sent };
}

export const handler = middy(remind).use(injectLambdaContext(logger)).use(logMetrics(metrics));
