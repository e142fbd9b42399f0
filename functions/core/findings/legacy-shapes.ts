import { isRecord } from './json.js';

/**
 * Shapes Cordon recognizes but does not act on, each answered with a reason that names it (DESIGN §1:
 * "anything else is rejected with a reason that names the shape it looks like"). Undefined: not one of them.
 */
export function legacyShape(v: Record<string, unknown>): string | undefined {
  const odataType = typeof v['@odata.type'] === 'string' ? v['@odata.type'] : '';
  if (/^#microsoft\.graph\.(security\.)?incident$/i.test(odataType) || typeof v['incidentWebUrl'] === 'string') {
    return (
      `Microsoft Defender XDR incident (${odataType || 'incidentWebUrl'}): an incident groups alerts and names no resource ` +
      'to act on; Cordon acts on its alerts (security/alerts_v2, Microsoft.Graph.AlertCreated)'
    );
  }
  if (isRecord(v['vendorInformation']) && ('azureTenantId' in v || 'userStates' in v || 'securityResources' in v)) {
    const info = v['vendorInformation'];
    const provider = typeof info['provider'] === 'string' ? `, provider ${info['provider']}` : '';
    return (
      `Microsoft Graph security API v1 alert (legacy /security/alerts${provider}): retired by Microsoft and not read; ` +
      'subscribe to security/alerts_v2 instead'
    );
  }
  if (typeof v['operationName'] === 'string' && typeof v['resourceId'] === 'string' && 'category' in v) {
    return (
      `Azure Activity Log record (operation ${v['operationName']}): a log entry, not a Defender alert; ` +
      'send the alert itself (continuous export of security alerts, or its Event Grid event)'
    );
  }
  return undefined;
}
