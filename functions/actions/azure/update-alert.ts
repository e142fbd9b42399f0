/**
 * update-alert: mark the Defender for Cloud alert behind the incident InProgress, so the SOC sees
 * Cordon picked it up. The alert is addressed by its ARM id, subscription- or resource-group
 * level (`…/providers/Microsoft.Security/locations/{loc}/alerts/{name}`).
 *
 * `@azure/arm-security` 5.0.0 (api-version 2021-01-01 for alerts) has activate/resolve/dismiss
 * but not the InProgress state, added in api-version 2022-01-01 as
 * `POST …/alerts/{name}/inProgress`; that call goes through the same SecurityCenter client's
 * pipeline (auth, retries, step header) via sendArmRequest.
 */
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import type { AzureContext } from '../../adapters/azure/clients.js';
import { parseDefenderAlertId } from '../../core/arm-id.js';
import { sendArmRequest } from '../../adapters/azure/arm-request.js';
import { failedFrom } from './common.js';

export const ALERTS_API_VERSION = '2022-01-01';


export const updateAlert: ActionModule<AzureContext> = {
  spec: ACTION_CATALOG['update-alert'],

  plannedCalls(input: ActionInput): PlannedCall[] {
    const id = input.finding.alertResourceId;
    if (!parseDefenderAlertId(id)) return [];
    return [
      { operation: 'Microsoft.Security/locations/alerts/read', request: { id } },
      { operation: 'Microsoft.Security/locations/alerts/inProgress/action', request: { method: 'POST', path: `${id}/inProgress`, apiVersion: ALERTS_API_VERSION } },
    ];
  },

  async run(input: ActionInput, ctx: AzureContext): Promise<ActionResult> {
    const raw = input.finding.alertResourceId;
    if (!raw) return { status: 'skipped', reason: 'no-alert-resource-id', summary: `finding ${input.finding.id} names no Defender alert to update` };
    const alert = parseDefenderAlertId(raw);
    if (!alert) return { status: 'skipped', reason: 'unsupported-target', summary: `'${raw}' is not a Defender for Cloud alert ARM id` };
    try {
      const { security } = ctx.clients;
      const current = alert.resourceGroup
        ? await security.alerts.getResourceGroupLevel(alert.location, alert.alertName, alert.resourceGroup)
        : await security.alerts.getSubscriptionLevel(alert.location, alert.alertName);
      const before = { id: current.id ?? raw, status: current.status ?? null };
      if (current.status === 'InProgress') return { status: 'skipped', reason: 'already-done', summary: `alert ${alert.alertName} is already InProgress`, before };
      if (current.status === 'Resolved' || current.status === 'Dismissed') {
        // Reopening a closed alert would undo an analyst's decision.
        return { status: 'skipped', reason: 'alert-closed', summary: `alert ${alert.alertName} is ${current.status}; left as it is`, before };
      }
      await sendArmRequest(security.pipeline, ctx.clients.armEndpoint, { method: 'POST', path: `${raw}/inProgress`, apiVersion: ALERTS_API_VERSION });
      return {
        status: 'succeeded',
        before,
        after: { id: before.id, status: 'InProgress' },
        evidence: [],
        summary: `alert ${alert.alertName}: ${before.status ?? 'unknown'} → InProgress (incident ${input.incidentId})`,
      };
    } catch (e) {
      return failedFrom(e);
    }
  },
};

