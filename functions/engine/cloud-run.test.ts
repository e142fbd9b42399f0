import { GetExecutionHistoryCommand, InvalidToken, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS } from '../adapters/aws/clients.js';
import { createStepFunctionsSimService } from '../../test/support/sim/stepfunctions.js';
import { startSimServer, type RunningSimServer } from '../sim/server.js';
import { startAndFollow, type StateFinished } from './cloud-run.js';

/** `run --cloud` against the estate's Step Functions: the real SFN client over loopback. */
const MACHINE = 'arn:aws:states:eu-west-1:111111111111:stateMachine:Cordon-aws-ec2-compromise';
const service = createStepFunctionsSimService();
let server: RunningSimServer;
let sfn: SFNClient;

beforeAll(async () => {
  server = await startSimServer({ services: [service] });
  sfn = new SFNClient({ endpoint: server.url, region: 'eu-west-1', credentials: SIM_CREDENTIALS });
});
afterAll(async () => {
  await server.close();
});

describe('startAndFollow', () => {
  it('starts the execution and reports each state as it finishes, then the output', async () => {
    const seen: StateFinished[] = [];
    let polls = 0;
    const result = await startAndFollow({
      sfn,
      stateMachineArn: MACHINE,
      input: { incident: { id: 'inc-00000000000000ab' } },
      name: 'inc-00000000000000ab',
      onState: (e) => seen.push(e),
      // Each pause lets the (simulated) workflow move on one state.
      sleep: async () => {
        const arn = service.state.executionsOf(MACHINE)[0]!.executionArn;
        polls += 1;
        if (polls === 1) service.state.recordState(arn, 'contain and preserve', {}, { contained: true });
        if (polls === 2) service.state.recordState(arn, 'notify', {}, { notified: true });
        if (polls === 3) service.state.succeed(arn, { escalated: false });
      },
    });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { escalated: false }, existing: false });
    expect(seen.map((s) => [s.state, s.outcome, s.output])).toEqual([
      ['contain and preserve', 'exited', { contained: true }],
      ['notify', 'exited', { notified: true }],
    ]);
  });

  it('follows the existing execution when the name was already used', async () => {
    const result = await startAndFollow({ sfn, stateMachineArn: MACHINE, input: { other: true }, name: 'inc-00000000000000ab', onState: () => undefined, sleep: async () => undefined });
    expect(result).toMatchObject({ status: 'SUCCEEDED', existing: true });
    expect(service.state.executionsOf(MACHINE)).toHaveLength(1);
  });
});

describe('simulated Step Functions', () => {
  it('keeps execution names unique as StartExecution documents', async () => {
    const state = createStepFunctionsSimService().state;
    const first = state.start(MACHINE, 'inc-1', '{"a":1}');
    expect(first.created).toBe(true);
    expect(state.start(MACHINE, 'inc-1', '{"a":1}')).toMatchObject({ created: false, execution: { executionArn: first.execution.executionArn } });
    expect(() => state.start(MACHINE, 'inc-1', '{"a":2}')).toThrow(/Execution Already Exists/);
    state.succeed(first.execution.executionArn, {});
    expect(() => state.start(MACHINE, 'inc-1', '{"a":1}')).toThrow(/Execution Already Exists/);
    expect(() => state.start(MACHINE, 'bad name', '{}')).toThrow(/Invalid Name/);
  });

  it('answers a task token once, and pages the history', async () => {
    const arn = (await sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'paged', input: '{}' }))).executionArn!;
    const token = service.state.waitForToken(arn, 'approve');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    await expect(sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'x', cause: 'y' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'nope', output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
    const page1 = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 2 }));
    expect(page1.events?.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered']);
    const page2 = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.events?.map((e) => e.type)).toEqual(['TaskSucceeded']);
    expect(page2.nextToken).toBeUndefined();
  });
});
