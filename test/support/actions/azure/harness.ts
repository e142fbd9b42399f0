/**
 * Test support for the Azure actions: the simulated estate on loopback, and per-step clients
 * built by the real factory against it — the same wiring the tabletop uses.
 */
import { stepId } from '../../../../functions/core/incident-id.js';
import type { ActionInput } from '../../../../functions/core/actions/types.js';
import type { ActionName, Target } from '../../../../functions/core/model.js';
import type { FaultRule } from '../../../../functions/sim/faults.js';
import { startSimServer, type RunningSimServer } from '../../../../functions/sim/server.js';
import { createAzureClients, type AzureContext } from '../../../../functions/adapters/azure/clients.js';
import { createAzureEstateState, type AzureEstateSeed, type AzureEstateState } from '../../../../functions/sim/azure/state.js';
import { createAzureSimServices } from '../../../../functions/sim/azure/index.js';

export const SUB = '00000000-0000-0000-0000-00000000c0de';
export const RG = 'rg-prod';
export const VM_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/web-01`;
export const ACCOUNT_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/contosodata`;
export const USER_ID = '6e5f4c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b';
export const USER_UPN = 'megan.bowen@contoso.example';
export const ALERT_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Security/locations/westeurope/alerts/2518298467986649999_a1b2c3d4`;
export const NOW = new Date('2025-03-01T12:00:00.000Z');

export const DEFAULT_SEED: AzureEstateSeed = {
  vms: [{ id: VM_ID, location: 'westeurope', dataDisks: [{ sizeGb: 128 }, { sizeGb: 256 }] }],
  storageAccounts: [{ id: ACCOUNT_ID, location: 'westeurope', allowBlobPublicAccess: true }],
  users: [{ id: USER_ID, userPrincipalName: USER_UPN, signInSessionsValidFromDateTime: '2025-01-10T08:00:00Z' }],
  defenderAlerts: [{ id: ALERT_ID, status: 'Active', alertType: 'VM_SuspiciousActivity' }],
};

export interface AzureSim {
  server: RunningSimServer;
  state: AzureEstateState;
  ctx(stepId: string): AzureContext;
  close(): Promise<void>;
}

export async function startAzureSim(opts: { seed?: AzureEstateSeed; faults?: FaultRule[] } = {}): Promise<AzureSim> {
  const state = createAzureEstateState(opts.seed ?? DEFAULT_SEED, () => NOW);
  const server = await startSimServer({ services: createAzureSimServices(state), faults: opts.faults ?? [] });
  return {
    server,
    state,
    ctx: (stepId) => ({ clients: createAzureClients({ subscriptionId: SUB, endpoint: server.url, stepId }), now: () => NOW }),
    close: () => server.close(),
  };
}

export function actionInput(action: ActionName, target: Target, extra: Partial<ActionInput> = {}): ActionInput {
  return {
    incidentId: 'inc-azure0001',
    stepId: stepId(action, target),
    action,
    target,
    account: SUB,
    region: 'westeurope',
    mode: 'tabletop',
    finding: { id: 'finding-1', source: 'defender', alertResourceId: ALERT_ID, observedAt: '2025-03-01T11:55:00Z' },
    params: {},
    ...extra,
  };
}
