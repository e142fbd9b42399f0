import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Incident } from '../../core/model.js';
import type { WorkflowInput } from '../../../workflows/input.js';

export type StartOutcome =
  | { status: 'started'; executionArn: string }
  /** Step Functions answered with the execution already running for that name and input (idempotent start). */
  | { status: 'already-running'; executionArn: string }
  /** Step Functions refused the name: the incident's execution exists (closed, or with another input). */
  | { status: 'duplicate'; executionArn: string };

/** Starts the incident's workflow; the name is derived from the incident id, so a redelivery is refused by the engine itself. */
export type WorkflowStarter = (incident: Incident, input: WorkflowInput) => Promise<StartOutcome>;

/** The ARN Step Functions gives the execution `name` of a state machine. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

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
