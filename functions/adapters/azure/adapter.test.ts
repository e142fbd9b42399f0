import { readFileSync } from 'node:fs';
import { RestError } from '@azure/core-rest-pipeline';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyAzureError } from './errors.js';
import { fetchGraphAlert } from './graph-alerts.js';
import { createAzureClients, isLoopback } from './clients.js';
import { parseArmId, parseResourceId } from '../../core/arm-id.js';
import { startSimServer, type RunningSimServer } from '../../sim/server.js';
import { createAzureEstateState } from '../../sim/azure/state.js';
import { createAzureSimServices } from '../../sim/azure/index.js';

// Microsoft Graph v1.0 "Get alert" response example (source: test/fixtures/SOURCES.md).
const graphAlert = JSON.parse(readFileSync(new URL('../../../test/fixtures/graph/alert-get.json', import.meta.url), 'utf8')) as { id: string };

describe('classifyAzureError', () => {
  const rest = (statusCode: number, code: string) => new RestError(`${code} happened`, { statusCode, code });
  it.each([
    [rest(429, 'TooManyRequests'), 'Throttled'],
    [rest(500, 'InternalServerError'), 'Transient'],
    [rest(503, 'ServiceUnavailable'), 'Transient'],
    [rest(504, 'GatewayTimeout'), 'Timeout'],
    [rest(404, 'ResourceNotFound'), 'NotFound'],
    [rest(404, 'ResourceGroupNotFound'), 'NotFound'],
    [rest(403, 'AuthorizationFailed'), 'AccessDenied'],
    [rest(401, 'AuthenticationFailed'), 'AccessDenied'],
    [rest(409, 'Conflict'), 'Conflict'],
    [rest(400, 'InvalidResourceReference'), 'InvalidTarget'],
    [new GraphError(404, 'Resource does not exist'), 'NotFound'],
    [Object.assign(new GraphError(403, 'Insufficient privileges'), { code: 'Authorization_RequestDenied' }), 'AccessDenied'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'Transient'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'Timeout'],
    [new Error('something odd'), 'Unknown'],
    ['a string', 'Unknown'],
  ])('%s → %s', (e, errorClass) => {
    expect(classifyAzureError(e).errorClass).toBe(errorClass);
  });

  it('names the service error code in the message', () => {
    expect(classifyAzureError(new RestError('The Resource was not found.', { statusCode: 404, code: 'ResourceNotFound' })).message).toBe('ResourceNotFound: The Resource was not found.');
    expect(classifyAzureError(new RestError('ResourceNotFound: x', { statusCode: 404, code: 'ResourceNotFound' })).message).toBe('ResourceNotFound: x');
  });
});

describe('ARM ids', () => {
  it('parses resource-group and subscription level ids', () => {
    expect(parseResourceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1', 'microsoft.compute/VIRTUALMACHINES')).toMatchObject({ subscriptionId: 's', resourceGroup: 'rg', names: ['vm1'] });
    expect(parseArmId('/subscriptions/s/providers/Microsoft.Security/locations/centralus/alerts/a1')).toMatchObject({ namespace: 'Microsoft.Security', types: ['locations', 'alerts'], names: ['centralus', 'a1'] });
    expect(parseArmId('vm1')).toBeUndefined();
    expect(parseResourceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a', 'Microsoft.Compute/virtualMachines')).toBeUndefined();
  });
});

describe('Azure clients against the simulated estate', () => {
  let server: RunningSimServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('fetchGraphAlert reads the alert behind an AlertCreated notification through the Graph client', async () => {
    const state = createAzureEstateState({ graphAlerts: [graphAlert] });
    server = await startSimServer({ services: createAzureSimServices(state) });
    const clients = createAzureClients({ subscriptionId: 'sub', endpoint: server.url, stepId: 'ingest:graph' });
    const alert = await fetchGraphAlert(clients, graphAlert.id);
    expect(alert).toMatchObject(graphAlert);
    expect(server.calls).toEqual([expect.objectContaining({ step: 'ingest:graph', operation: 'graph:getAlert', status: 200 })]);
  });

  it('fetchGraphAlert rejects with a NotFound-class error for an unknown alert', async () => {
    server = await startSimServer({ services: createAzureSimServices(createAzureEstateState()) });
    const clients = createAzureClients({ subscriptionId: 'sub', endpoint: server.url });
    const error = await fetchGraphAlert(clients, 'da000_missing').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(classifyAzureError(error).errorClass).toBe('NotFound');
    expect(server.calls[0]?.step).toBe('');
  });

  it('builds SDK clients lazily and only treats loopback endpoints as the estate', () => {
    expect(isLoopback('http://127.0.0.1:4010')).toBe(true);
    expect(isLoopback('https://management.azure.com')).toBe(false);
    const clients = createAzureClients({ subscriptionId: 'sub', endpoint: 'http://127.0.0.1:9' });
    expect(clients.armEndpoint).toBe('http://127.0.0.1:9');
    expect(clients.network).toBe(clients.network);
  });
});
