import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AzureKeyCredential } from '@azure/eventgrid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockReminder, incidentOpened, LIFECYCLE_SOURCE, type LifecycleEvent } from '../core/lifecycle.js';
import { planIncident, planSettings } from '../core/plan/plan.js';
import { loadPlaybooks } from '../core/playbooks/load.js';
import { compileRouter } from '../core/playbooks/match.js';
import { startSimServer, type RunningSimServer } from '../sim/server.js';
import { EventBridgeReceiver, EventGridTopicReceiver } from '../../test/support/sim/lifecycle.js';
import { instance, finding } from '../../test/support/findings.js';
import { SIM_CREDENTIALS } from './aws/clients.js';
import { eventBridgePublisher } from './aws/lifecycle-events.js';
import { eventGridPublisher, eventGridTopicClient } from './azure/lifecycle-events.js';

/**
 * The lifecycle events through the real SDK clients (EventBridge PutEvents, the Event Grid
 * publisher client) to loopback receivers, read back as a subscriber would see them.
 */
const KEY = 'topic-access-key-0123456789';
const bus = new EventBridgeReceiver(['cordon-lifecycle']);
const topic = new EventGridTopicReceiver(KEY);
let server: RunningSimServer;

const NOW = new Date('2026-11-30T06:00:00.000Z');
const route = compileRouter(loadPlaybooks());
const f = finding({ type: 'Backdoor:EC2/C&CActivity.B', severity: 'high', resources: [instance('i-0abc123def4567890')] });
const opened = incidentOpened(planIncident(f, route(f), planSettings({ now: NOW, mode: 'automatic', nis2: true, actionsThisHour: {} })), NOW.toISOString());
const reminder = clockReminder({ incident: opened.incident, regime: 'gdpr-art33', awareAt: '2026-11-27T07:00:00.000Z', deadline: '2026-11-30T07:00:00.000Z' }, 1, NOW);

beforeAll(async () => {
  server = await startSimServer({ services: [bus, topic] });
});
afterAll(async () => {
  await server.close();
});

describe('lifecycle events', () => {
  it('an opened incident says what the workflow will do: playbook, steps per phase, clocks', () => {
    expect(opened).toMatchObject({ type: 'Cordon.Incident.Opened', playbook: 'aws-ec2-compromise', finding: { id: f.id, severity: 'high', cloud: 'aws' } });
    expect(opened.steps.contain).toBeGreaterThan(0);
    expect(opened.steps.preserve).toBeGreaterThan(0);
    expect(reminder).toMatchObject({ type: 'Cordon.Clock.Reminder', offsetHours: 1, overdue: false });
    expect(clockReminder({ incident: 'inc-x', regime: 'gdpr-art33', awareAt: reminder.awareAt, deadline: reminder.deadline }, -1, new Date('2026-11-30T08:00:00.000Z')).overdue).toBe(true);
  });

  it('reach an EventBridge bus: source cordon, detail-type the event type, detail the event, resources the incident', async () => {
    const publish = eventBridgePublisher(new EventBridgeClient({ endpoint: server.url, region: 'eu-west-1', credentials: SIM_CREDENTIALS }), 'cordon-lifecycle');
    for (const e of [opened, reminder] as LifecycleEvent[]) await publish(e);
    expect(bus.received.map((r) => ({ bus: r.EventBusName, source: r.Source, type: r.DetailType, resources: r.Resources }))).toEqual([
      { bus: 'cordon-lifecycle', source: LIFECYCLE_SOURCE, type: 'Cordon.Incident.Opened', resources: [`cordon/incidents/${opened.incident}`] },
      { bus: 'cordon-lifecycle', source: LIFECYCLE_SOURCE, type: 'Cordon.Clock.Reminder', resources: [`cordon/incidents/${opened.incident}`] },
    ]);
    expect(bus.received.map((r) => r.Detail)).toEqual([opened, reminder]);
    expect(bus.received[0]!.Time).toBe(NOW.getTime() / 1000);
  });

  it('an entry EventBridge refuses (here: a bus that does not exist) throws, naming the event and the error', async () => {
    const publish = eventBridgePublisher(new EventBridgeClient({ endpoint: server.url, region: 'eu-west-1', credentials: SIM_CREDENTIALS }), 'no-such-bus');
    await expect(publish(opened)).rejects.toThrow(`EventBridge refused Cordon.Incident.Opened for ${opened.incident}: ResourceNotFoundException`);
  });

  it('reach an Event Grid topic through the SDK publisher: eventType, subject, dataVersion 1, data the event', async () => {
    const publish = eventGridPublisher(eventGridTopicClient(`${server.url}/api/events`, new AzureKeyCredential(KEY)));
    for (const e of [opened, reminder] as LifecycleEvent[]) await publish(e);
    expect(topic.received.map((e) => ({ type: e.eventType, subject: e.subject, version: e.dataVersion, time: e.eventTime }))).toEqual([
      { type: 'Cordon.Incident.Opened', subject: `cordon/incidents/${opened.incident}`, version: '1', time: NOW.toISOString() },
      { type: 'Cordon.Clock.Reminder', subject: `cordon/incidents/${opened.incident}`, version: '1', time: NOW.toISOString() },
    ]);
    expect(topic.received.map((e) => e.data)).toEqual([opened, reminder]);
  });

  it('a topic that refuses the key fails the publish', async () => {
    const publish = eventGridPublisher(eventGridTopicClient(`${server.url}/api/events`, new AzureKeyCredential('wrong-key')));
    await expect(publish(opened)).rejects.toMatchObject({ statusCode: 401 });
    expect(topic.received).toHaveLength(2);
  });
});
