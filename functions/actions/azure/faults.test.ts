/**
 * Fault matrix for every Azure action, over the wire: the estate throttles (429 + Retry-After) or
 * fails (500) the action's write, and unknown targets answer the services' real 404s. Client
 * retries (maxRetries 2) absorb up to two throttles; beyond that the step fails Throttled for the
 * workflow's ASL Retry to handle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionInput } from '../../core/actions/types.js';
import type { FaultRule } from '../../sim/faults.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { AZURE_ACTIONS } from './index.js';
import { mutatingCall } from '../../../test/support/actions/mutating-call.js';
import { ACCOUNT_ID, RG, SUB, USER_ID, VM_ID, actionInput, startAzureSim, type AzureSim } from '../../../test/support/actions/azure/harness.js';

interface Case {
  name: keyof typeof AZURE_ACTIONS;
  action: ActionModule<AzureContext>;
  input: ActionInput;
  missing: ActionInput;
  missingCode: string;
}

const vm = { type: 'Microsoft.Compute/virtualMachines', id: VM_ID };
const ghostVm = { type: 'Microsoft.Compute/virtualMachines', id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/ghost` };
const account = { type: 'Microsoft.Storage/storageAccounts', id: ACCOUNT_ID };
const ghostAccount = { type: 'Microsoft.Storage/storageAccounts', id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/ghost` };
const ghostAlert = `/subscriptions/${SUB}/providers/Microsoft.Security/locations/westeurope/alerts/ghost`;
const mod = (name: keyof typeof AZURE_ACTIONS) => AZURE_ACTIONS[name] as ActionModule<AzureContext>;

const CASES: Case[] = [
  { name: 'quarantine-vm', action: mod('quarantine-vm'), input: actionInput('quarantine-vm', vm), missing: actionInput('quarantine-vm', ghostVm), missingCode: 'ResourceNotFound' },
  { name: 'snapshot-disks', action: mod('snapshot-disks'), input: actionInput('snapshot-disks', vm), missing: actionInput('snapshot-disks', ghostVm), missingCode: 'ResourceNotFound' },
  {
    name: 'block-storage-public-access',
    action: mod('block-storage-public-access'),
    input: actionInput('block-storage-public-access', account),
   
    missing: actionInput('block-storage-public-access', ghostAccount),
    missingCode: 'ResourceNotFound',
  },
  {
    name: 'revoke-user-sessions',
    action: mod('revoke-user-sessions'),
    input: actionInput('revoke-user-sessions', { type: 'Microsoft.Graph/users', id: USER_ID }),
   
    missing: actionInput('revoke-user-sessions', { type: 'Microsoft.Graph/users', id: 'nobody@contoso.example' }),
    missingCode: 'Request_ResourceNotFound',
  },
  {
    name: 'disable-user',
    action: mod('disable-user'),
    input: actionInput('disable-user', { type: 'Microsoft.Graph/users', id: USER_ID }),
    missing: actionInput('disable-user', { type: 'Microsoft.Graph/users', id: 'nobody@contoso.example' }),
    missingCode: 'Request_ResourceNotFound',
  },
  {
    name: 'rotate-storage-keys',
    action: mod('rotate-storage-keys'),
    input: actionInput('rotate-storage-keys', account),
    missing: actionInput('rotate-storage-keys', ghostAccount),
    missingCode: 'ResourceNotFound',
  },
  {
    name: 'update-alert',
    action: mod('update-alert'),
    input: actionInput('update-alert', { type: 'finding', id: 'finding-1' }),
   
    missing: actionInput('update-alert', { type: 'finding', id: 'finding-1' }, { finding: { id: 'finding-1', source: 'defender', alertResourceId: ghostAlert } }),
    missingCode: 'NotFound',
  },
];

let sim: AzureSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function run(c: Case, faults: FaultRule[], input = c.input) {
  sim = await startAzureSim({ faults });
  const result = await c.action.run(input, sim.ctx(input.stepId));
  return { result, writes: sim.server.calls.filter((call) => call.operation === mutatingCall(c.name)) };
}

describe.each(CASES)('$name under faults', (c) => {
  it('succeeds when client retries absorb two throttles of its write', async () => {
    const { result, writes } = await run(c, [{ operation: mutatingCall(c.name), kind: 'throttle', times: 2 }]);
    expect(result.status).toBe('succeeded');
    expect(writes.slice(0, 3).map((w) => w.status)).toEqual([429, 429, writes[2]?.status]);
    expect(writes[2]?.fault).toBeUndefined();
  });

  it('fails Throttled when throttling outlasts the client retries', async () => {
    const { result, writes } = await run(c, [{ operation: mutatingCall(c.name), kind: 'throttle' }]);
    expect(result).toMatchObject({ status: 'failed', errorClass: 'Throttled' });
    expect(result.status === 'failed' && result.message).toContain('TooManyRequests');
    expect(writes.length).toBeGreaterThanOrEqual(3);
  });

  it('fails Transient on a persistent internal error', async () => {
    const { result } = await run(c, [{ operation: mutatingCall(c.name), kind: 'error' }]);
    expect(result).toMatchObject({ status: 'failed', errorClass: 'Transient' });
  });

  it('fails NotFound naming the service error code for an unknown target', async () => {
    const { result, writes } = await run(c, [], c.missing);
    expect(result).toMatchObject({ status: 'failed', errorClass: 'NotFound' });
    expect(result.status === 'failed' && result.message).toContain(c.missingCode);
    expect(writes).toHaveLength(0);
  });
});

describe('long-running operation polling under faults', () => {
  it('absorbs a throttled Azure-AsyncOperation poll', async () => {
    sim = await startAzureSim({ faults: [{ operation: 'Microsoft.Network/locations/operations/read', kind: 'throttle', times: 1 }] });
    const input = actionInput('quarantine-vm', vm);
    expect((await mod('quarantine-vm').run(input, sim.ctx(input.stepId))).status).toBe('succeeded');
    expect(sim.server.calls.some((c) => c.fault === 'throttle')).toBe(true);
  });
});
