import { SIM_CREDENTIALS, createAwsClients, type AwsContext } from '../../adapters/aws/clients.js';
import type { ActionInput } from '../../core/actions/types.js';
import type { ActionName, Target } from '../../core/model.js';
import type { FaultRule } from '../../sim/faults.js';
import { startSimServer, type RunningSimServer } from '../../sim/server.js';
import { createAwsSimServices } from '../../sim/aws/index.js';
import { createAwsEstate, type AwsEstateSeed } from '../../sim/aws/seed.js';
import type { AwsEstateState } from '../../sim/aws/state.js';

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

/** An ActionInput as a Task state would hand it over; the step id follows the planner's `${action}:${target.id}`. */
export function actionInput(action: ActionName, target: Target, overrides: Partial<ActionInput> = {}): ActionInput {
  return {
    incidentId: 'inc-7f3a9c21',
    stepId: `${action}:${target.id}`,
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
