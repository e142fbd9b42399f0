import type { AzureClients } from './clients.js';

/** The Graph application permission the ingest reads alerts with (granted beside the actions' own: infra/azure/role-definition.ts). */
export const GRAPH_ALERT_READ = 'SecurityAlert.Read.All';

/**
 * A `Microsoft.Graph.AlertCreated` notification carries only the alert's id; the alert itself
 * (`#microsoft.graph.security.alert`) is read from Graph. Needs GRAPH_ALERT_READ.
 */
export async function fetchGraphAlert(clients: Pick<AzureClients, 'graph'>, alertId: string): Promise<unknown> {
  return (await clients.graph.api(`/security/alerts_v2/${encodeURIComponent(alertId)}`).get()) as unknown;
}
