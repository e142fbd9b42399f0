import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { executionArnFor } from '../../engine/cloud-run.js';
import type { WorkflowStarter } from '../intake.js';

/** Thrown when an incident's playbook has no deployed state machine (a deployment mistake, retried then dead-lettered). */
export class MissingStateMachineError extends Error {
  override readonly name = 'MissingStateMachineError';
}

/**
 * Starts the playbook's Standard state machine with the incident id as the execution name.
 * Step Functions keeps names unique per machine for 90 days: the same name with the same input
 * while running is an idempotent success; otherwise it answers ExecutionAlreadyExists — both
 * mean a redelivery, and neither starts a second execution.
 */
export function stepFunctionsStarter(sfn: SFNClient, machines: Readonly<Record<string, string>>, now: () => Date = () => new Date()): WorkflowStarter {
  return async (incident, input) => {
    const stateMachineArn = incident.playbook === null ? undefined : machines[incident.playbook];
    if (!stateMachineArn) throw new MissingStateMachineError(`no state machine is deployed for playbook '${incident.playbook ?? '(none)'}' (CORDON_STATE_MACHINES)`);
    const name = incident.id;
    const askedAt = now().getTime();
    try {
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      const executionArn = started.executionArn ?? executionArnFor(stateMachineArn, name);
      // An idempotent answer carries the original execution's start date.
      const earlier = started.startDate !== undefined && started.startDate.getTime() < askedAt - 1000;
      return { status: earlier ? 'already-running' : 'started', executionArn };
    } catch (e) {
      if (e instanceof ExecutionAlreadyExists) return { status: 'duplicate', executionArn: executionArnFor(stateMachineArn, name) };
      throw e;
    }
  };
}
