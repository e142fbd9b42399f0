import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../core/model.js';
import { startSimServer, type RunningSimServer } from '../server.js';
import { routeArm } from './arm.js';
import { AzureEstateSeedSchema, addAzureSeed, createAzureEstateState, createAzureSimServices, seedFromFinding } from './index.js';
import { createAzureClients } from '../../adapters/azure/clients.js';
import { snapshotDisks } from '../../actions/azure/snapshot-disks.js';
import { updateAlert } from '../../actions/azure/update-alert.js';

// Defender for Cloud "Alerts - Get Subscription Level Alert" example (source: test/fixtures/SOURCES.md).
const defenderAlert = JSON.parse(readFileSync(new URL('../../../test/fixtures/defender/alert-subscription-location.json', import.meta.url), 'utf8')) as {
  id: string;
  properties: { alertType: string; alertDisplayName: string; compromisedEntity: string };
};
const SUB = '20ff7fc3-e762-44dd-bd96-b71116dcdc23';
const VM1 = `/subscriptions/${SUB}/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1`;
const NSG = `/subscriptions/${SUB}/resourceGroups/myRg1/providers/Microsoft.Network/networkSecurityGroups/isolate`;
const AUTH = { authorization: 'Bearer t', 'content-type': 'application/json' };

let server: RunningSimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(seed = {}) {
  const state = createAzureEstateState(seed, () => new Date('2025-03-01T12:00:00Z'));
  server = await startSimServer({ services: createAzureSimServices(state) });
  return { state, url: server.url };
}

describe('ARM operation names', () => {
  it.each([
    ['GET', VM1, 'Microsoft.Compute/virtualMachines/read'],
    ['PUT', NSG, 'Microsoft.Network/networkSecurityGroups/write'],
    ['PATCH', `/subscriptions/${SUB}/resourceGroups/myRg1/providers/Microsoft.Storage/storageAccounts/a`, 'Microsoft.Storage/storageAccounts/write'],
    ['GET', `/subscriptions/${SUB}/resourceGroups/myRg1/providers/Microsoft.Compute/snapshots`, 'Microsoft.Compute/snapshots/read'],
    ['POST', `${defenderAlert.id}/inProgress`, 'Microsoft.Security/locations/alerts/inProgress/action'],
    ['GET', `/subscriptions/${SUB}/providers/Microsoft.Network/locations/westeurope/operations/abc`, 'Microsoft.Network/locations/operations/read'],
  ])('%s %s → %s', (method, path, operation) => {
    expect(routeArm(method, path)?.operation).toBe(operation);
  });

  it('is not ARM outside /subscriptions', () => {
    expect(routeArm('POST', '/v1.0/users/x/revokeSignInSessions')).toBeUndefined();
  });
});

describe('ARM wire behaviour', () => {
  it('answers a long-running PUT with 201 + Azure-AsyncOperation, then InProgress, then Succeeded', async () => {
    const { url } = await serve();
    const put = await fetch(`${url}${NSG}?api-version=2024-05-01`, { method: 'PUT', headers: AUTH, body: JSON.stringify({ location: 'westeurope', properties: { securityRules: [] } }) });
    expect(put.status).toBe(201);
    expect(((await put.json()) as { properties: { provisioningState: string } }).properties.provisioningState).toBe('Updating');
    const op = put.headers.get('azure-asyncoperation') ?? '';
    expect(op).toMatch(new RegExp(`^${url}/subscriptions/${SUB}/providers/Microsoft.Network/locations/westeurope/operations/[0-9a-f-]+\\?api-version=2024-05-01$`));
    expect(put.headers.get('location')).toContain('monitor=true');
    expect(put.headers.get('retry-after')).toBe('0');
    const first = (await (await fetch(op, { headers: AUTH })).json()) as { status: string };
    const second = (await (await fetch(op, { headers: AUTH })).json()) as { status: string };
    expect([first.status, second.status]).toEqual(['InProgress', 'Succeeded']);
    const nsg = (await (await fetch(`${url}${NSG}?api-version=2024-05-01`, { headers: AUTH })).json()) as { properties: { provisioningState: string } };
    expect(nsg.properties.provisioningState).toBe('Succeeded');
  });

  it('answers with ARM error shapes: 404 ResourceNotFound, 400 without api-version, 401 without a token', async () => {
    const { url } = await serve();
    const missing = await fetch(`${url}${VM1}?api-version=2024-07-01`, { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'ResourceNotFound' } });
    expect(await (await fetch(`${url}${VM1}`, { headers: AUTH })).json()).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    const anonymous = await fetch(`${url}${VM1}?api-version=2024-07-01`);
    expect(anonymous.status).toBe(401);
  });

  it('throttles as ARM does: 429 TooManyRequests with Retry-After and the remaining-requests header', async () => {
    const state = createAzureEstateState();
    server = await startSimServer({ services: createAzureSimServices(state), faults: [{ operation: 'Microsoft.Compute/virtualMachines/read', kind: 'throttle' }] });
    const res = await fetch(`${server.url}${VM1}?api-version=2024-07-01`, { headers: AUTH });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('0');
    expect(res.headers.get('x-ms-ratelimit-remaining-subscription-reads')).toBe('0');
    expect(await res.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
  });

  it('answers Graph with Graph error shapes', async () => {
    const { url } = await serve();
    const res = await fetch(`${url}/v1.0/users/nobody@contoso.example/revokeSignInSessions`, { method: 'POST', headers: AUTH, body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'Request_ResourceNotFound', innerError: { 'request-id': expect.any(String) } } });
  });
});

describe('seeding', () => {
  it('validates the azure: section of an estate file, naming the bad field', () => {
    const bad = AzureEstateSeedSchema.safeParse({ vms: [{ id: 'vm1' }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['vms', 0, 'id']);
    expect(AzureEstateSeedSchema.safeParse({ vms: [{ id: VM1 }], users: [{ id: 'u', userPrincipalName: 'u@x' }] }).success).toBe(true);
  });

  it('derives a plausible estate from a Defender finding and lets the actions run on it', async () => {
    const finding: Finding = {
      id: defenderAlert.id,
      source: 'defender',
      cloud: 'azure',
      type: defenderAlert.properties.alertType,
      title: defenderAlert.properties.alertDisplayName,
      severity: 'high',
      account: SUB,
      region: 'westeurope',
      observedAt: '2025-03-01T11:00:00Z',
      sample: false,
      resources: [
        { type: 'Microsoft.Compute/virtualMachines', id: VM1, tags: {} },
        { type: 'Microsoft.Graph/users', id: 'admin@contoso.example', tags: {} },
      ],
      alertResourceId: defenderAlert.id,
    };
    const seed = seedFromFinding(finding);
    const state = createAzureEstateState(seed, () => new Date('2025-03-01T12:00:00Z'));
    addAzureSeed(state, seed); // re-adding is harmless
    expect(state.vms.size).toBe(1);
    expect(state.disks.size).toBe(2);
    expect(state.users.get('admin@contoso.example')?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(state.defenderAlerts.get(defenderAlert.id.toLowerCase())?.status).toBe('Active');

    server = await startSimServer({ services: createAzureSimServices(state) });
    const ctx = { clients: createAzureClients({ subscriptionId: SUB, endpoint: server.url }), now: () => new Date('2025-03-01T12:00:00Z') };
    const base = { incidentId: 'inc-1', account: SUB, region: 'westeurope', mode: 'tabletop' as const, params: {}, finding: { id: finding.id, source: 'defender' as const, alertResourceId: defenderAlert.id } };
    const snap = await snapshotDisks.run({ ...base, stepId: 's', action: 'snapshot-disks', target: { type: 'Microsoft.Compute/virtualMachines', id: VM1 } }, ctx);
    expect(snap.status === 'succeeded' && snap.evidence).toHaveLength(2);
    expect(await updateAlert.run({ ...base, stepId: 'u', action: 'update-alert', target: { type: 'finding', id: finding.id } }, ctx)).toMatchObject({ status: 'succeeded' });
  });
});
