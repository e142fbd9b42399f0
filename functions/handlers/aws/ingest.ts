import { SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { loadOperatorSettings } from '../../config/settings.js';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { ingestValue, type IngestResult } from '../../core/findings/ingest.js';
import { intake, type IntakeOutcome } from '../intake.js';
import { handlerPlaybooks } from '../playbooks.js';
import { required } from './env.js';
import { envelope, type ParsedEnvelope } from './eventbridge.js';
import { cloudRecords, logger, metrics, type LambdaEntry } from './runtime.js';
import { lifecyclePublisher } from './lifecycle.js';
import { stepFunctionsStarter } from '../../adapters/aws/start-execution.js';

/**
 * EventBridge → Cordon: GuardDuty findings, Security Hub `Imported` and `Custom Action` events.
 * Normalize, plan (automatic mode: sample findings never act), record, and start the playbook's
 * state machine under the incident id. A refused event is answered, not thrown: retrying cannot
 * fix it, so it is kept in the audit trail in full with the field that failed (see intake.ts).
 */

let sfn: SFNClient | undefined;
let sns: SNSClient | undefined;

export async function ingestEvent(parsed: ParsedEnvelope): Promise<IntakeOutcome> {
  const { store, audit, evidence, env } = cloudRecords();
  const raw = parsed.success ? parsed.data : parsed.originalEvent;
  const origin = parsed.success ? `eventbridge:${parsed.data.source}/${parsed.data.id}` : 'eventbridge';
  const result: IngestResult = parsed.success
    ? ingestValue(parsed.data, origin)
    : { findings: [], rejected: [{ file: origin, reason: `not an EventBridge event: ${parsed.problem}` }], validations: [], graphAlertRefs: [] };
  sfn ??= new SFNClient({});
  const publish = lifecyclePublisher(env);
  const outcome = await intake(result, raw, {
    store,
    audit,
    evidence,
    router: (await handlerPlaybooks()).router,
    start: stepFunctionsStarter(sfn, required(env, 'CORDON_STATE_MACHINES')),
    now: () => new Date(),
    ...(publish ? { publish } : {}),
    settings: loadOperatorSettings(process.env),
    escalate: async (incidentId, reason) => {
      const topic = env.CORDON_TOPIC_ARN;
      if (topic === undefined) return logger.error('escalation with no CORDON_TOPIC_ARN to publish to', { incidentId, reason });
      sns ??= new SNSClient({});
      await sns.send(new PublishCommand({ TopicArn: topic, Subject: `Cordon: ${incidentId} needs a person`.slice(0, 100), Message: reason }));
    },
  });
  for (const r of outcome.rejected) logger.warn('event rejected', { reason: r.reason, event: raw });
  for (const i of outcome.incidents) logger.info('incident', { ...i });
  metrics.addMetric('FindingsIngested', MetricUnit.Count, outcome.incidents.length);
  metrics.addMetric('EventsRejected', MetricUnit.Count, outcome.rejected.length);
  metrics.addMetric('ExecutionsStarted', MetricUnit.Count, outcome.incidents.filter((i) => i.outcome === 'started').length);
  return outcome;
}

export const handler = middy(ingestEvent)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(envelope()) as unknown as LambdaEntry<IntakeOutcome>;
