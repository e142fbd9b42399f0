/** Microsoft.Security over the estate: Defender for Cloud alerts (read, and the status actions inProgress/activate/resolve/dismiss). */
import { randomUUID } from 'node:crypto';
import { armName } from '../../core/arm-id.js';
import type { AzureEstateState, SimDefenderAlert } from './state.js';
import { armError, json, key, type ArmProvider } from './arm-wire.js';

const alertAction: Record<string, SimDefenderAlert['status']> = { inprogress: 'InProgress', activate: 'Active', resolve: 'Resolved', dismiss: 'Dismissed' };

export function securityProvider(state: AzureEstateState): ArmProvider {
  const alertView = (a: SimDefenderAlert) => ({
    id: a.id,
    name: a.id.split('/').pop(),
    type: 'Microsoft.Security/Locations/alerts',
    properties: {
      status: a.status,
      alertType: a.alertType,
      alertDisplayName: a.displayName,
      severity: a.severity,
      ...(a.compromisedEntity ? { compromisedEntity: a.compromisedEntity } : {}),
      productName: 'Microsoft Defender for Cloud',
    },
  });

  return {
    resources: {
      'microsoft.security/locations/alerts': (req, { id, trailing }) => {
        const alert = state.defenderAlerts.get(key(id.id));
        if (!alert) return armError(404, 'NotFound', `Alert ${armName(id)} was not found.`);
        if (req.method === 'GET' && !trailing) return json(200, alertView(alert));
        const next = trailing ? alertAction[trailing.toLowerCase()] : undefined;
        if (req.method === 'POST' && next) {
          alert.status = next;
          return { status: 204, headers: { 'x-ms-request-id': randomUUID() } };
        }
        return undefined;
      },
    },
  };
}
