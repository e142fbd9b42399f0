import type { ActionInput, PlannedCall } from '../core/actions/types.js';
import { AWS_ACTIONS } from './aws/index.js';
import { AZURE_ACTIONS } from './azure/index.js';
import { dispatchActions, plannedCallsFrom, type ActionExecutor, type ActionTables, type ContextFactory } from './dispatch.js';

export type { ActionExecutor, ContextFactory } from './dispatch.js';

/** Every action of every cloud: the table of the local engine, the CLI and the tabletop. */
export const ALL_ACTIONS: ActionTables = { aws: AWS_ACTIONS, azure: AZURE_ACTIONS };

export function createActionExecutor(contexts: Partial<ContextFactory>): ActionExecutor {
  return dispatchActions(ALL_ACTIONS, contexts);
}

/** The exact API calls a dry run prints. */
export function plannedCalls(input: ActionInput): PlannedCall[] {
  return plannedCallsFrom(ALL_ACTIONS, input);
}
