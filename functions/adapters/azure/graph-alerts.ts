import type { AzureClients } from './clients.js';

/**
 * A `Microsoft.Graph.AlertCreated` notification carries only the alert's id; the alert itself
 * (`#microsoft.graph.security.alert`) is read from Graph. Needs SecurityAlert.Read.All.
 */
export async function fetchGraphAlert(clients: Pick<AzureClients, 'graph'>, alertId: string): Promise<unknown> {
  return (await clients.graph.api(`/security/alerts_v2/${encodeURIComponent(alertId)}`).get()) as unknown;
}
