import type { ActionInput, ActionResult } from '../../core/actions/types.js';
import { classifyAzureError } from '../../adapters/azure/errors.js';
import { parseResourceId, type ArmId } from '../../core/arm-id.js';

/** Tag naming the incident on everything Cordon creates (Azure allows ':' in tag names). */
export const INCIDENT_TAG = 'cordon:incident';
export const ACTION_TAG = 'cordon:action';

/** Failures are returned, never thrown: the runner turns them into `Cordon.<errorClass>`. */
export function failedFrom(e: unknown): ActionResult {
  return { status: 'failed', ...classifyAzureError(e) };
}

export function invalidTarget(input: Pick<ActionInput, 'action' | 'target'>, expected: string): ActionResult {
  return { status: 'failed', errorClass: 'InvalidTarget', message: `${input.action}: target '${input.target.id}' is not ${expected}` };
}

/** The target's ARM id parsed as `type` in a resource group, or undefined. */
export function targetArmId(input: Pick<ActionInput, 'target'>, type: string): (ArmId & { resourceGroup: string }) | undefined {
  return parseResourceId(input.target.id, type);
}

export function incidentTags(input: ActionInput): Record<string, string> {
  return { [INCIDENT_TAG]: input.incidentId, [ACTION_TAG]: input.action };
}
