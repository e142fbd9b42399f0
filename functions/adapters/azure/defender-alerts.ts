import { parseDefenderAlertId } from '../../core/arm-id.js';
import type { AzureClients } from './clients.js';

/**
 * Reads a Defender for Cloud alert as ARM stores it, by the id a delivered body gave (the ingest
 * compares them: core/findings/defender-stored.ts). Undefined when ARM has no such alert; any
 * other failure throws, so the delivery is retried. Needs Microsoft.Security/locations/alerts/read.
 */
export async function fetchDefenderAlert(clients: Pick<AzureClients, 'security'>, alertResourceId: string): Promise<unknown> {
  const alert = parseDefenderAlertId(alertResourceId);
  if (!alert) return undefined;
  try {
    const stored = alert.resourceGroup
      ? await clients.security.alerts.getResourceGroupLevel(alert.location, alert.alertName, alert.resourceGroup)
      : await clients.security.alerts.getSubscriptionLevel(alert.location, alert.alertName);
    // The SDK flattens `properties`; the comparison reads the ARM shape.
    return { id: stored.id, properties: { alertType: stored.alertType, compromisedEntity: stored.compromisedEntity, status: stored.status } };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}
