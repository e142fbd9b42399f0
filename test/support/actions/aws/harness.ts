import { stepId } from '../../../../functions/core/incident-id.js';
import { SIM_CREDENTIALS, createAwsClients, type AwsContext } from '../../../../functions/adapters/aws/clients.js';
import type { ActionInput } from '../../../../functions/core/actions/types.js';
import type { ActionName, Target } from '../../../../functions/core/model.js';
import type { FaultRule } from '../../../../functions/sim/faults.js';
import { startSimServer, type RunningSimServer } from '../../../../functions/sim/server.js';
import { createAwsSimServices } from '../../../../functions/sim/aws/index.js';
import { createAwsEstate, type AwsEstateSeed } from '../../../../functions/sim/aws/seed.js';
import type { AwsEstateState } from '../../../../functions/sim/aws/state.js';

/**
 * Runs AWS actions for real against the simulated estate over loopback: the production SDK
 * clients, pointed at the estate's URL. Used by the wire-level tests; the tabletop wires the
 * same pieces.
 */
export interface AwsEstateHarness {
  state: AwsEstateState;
  server: RunningSimServer;
  /** Clients for one step: their calls are logged under `stepId`. */
  ctx(stepId: string): AwsContext;
  close(): Promise<void>;
}

export async function startAwsEstate(seed: AwsEstateSeed, options: { faults?: FaultRule[]; now?: () => Date } = {}): Promise<AwsEstateHarness> {
  const state = createAwsEstate(seed);
  const server = await startSimServer({ services: createAwsSimServices(state), faults: options.faults ?? [] });
  const now = options.now ?? (() => new Date());
  return {
    state,
    server,
    ctx: (stepId) => ({ clients: createAwsClients({ region: state.region, endpoint: server.url, credentials: SIM_CREDENTIALS, stepId }), now }),
    close: () => server.close(),
  };
}

/** An ActionInput as a Task state would hand it over; the step id is the planner's stepId(). */
export function actionInput(action: ActionName, target: Target, overrides: Partial<ActionInput> = {}): ActionInput {
  return {
    incidentId: 'inc-7f3a9c21',
    stepId: stepId(action, target),
    action,
    target,
    account: '111122223333',
    region: 'eu-west-1',
    mode: 'tabletop',
    finding: { id: 'f-1', source: 'guardduty' },
    params: {},
    ...overrides,
  };
}

/** The error a call that must fail rejects with (the test fails when it succeeds). */
export async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}
