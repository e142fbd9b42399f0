import type { ActionInput, ActionResult, PlannedCall } from '../core/actions/types.js';
import type { ActionName } from '../core/model.js';
import type { AwsContext } from '../adapters/aws/clients.js';
import type { AzureContext } from '../adapters/azure/clients.js';
import { AWS_ACTIONS } from './aws/index.js';
import { AZURE_ACTIONS } from './azure/index.js';
import { openClock, type CordonContext } from './cordon/open-clock.js';
import type { ActionModule } from './types.js';

type AnyModule =
  | { cloud: 'aws'; module: ActionModule<AwsContext> }
  | { cloud: 'azure'; module: ActionModule<AzureContext> }
  | { cloud: 'cordon'; module: ActionModule<CordonContext> };

/** Every action by name: the single dispatch table for the Lambda, the Azure Function and the local engine. */
export function actionModule(name: ActionName): AnyModule {
  const aws = (AWS_ACTIONS as Partial<Record<ActionName, ActionModule<AwsContext>>>)[name];
  if (aws) return { cloud: 'aws', module: aws };
  const azure = AZURE_ACTIONS[name];
  if (azure) return { cloud: 'azure', module: azure };
  if (name === 'open-clock') return { cloud: 'cordon', module: openClock };
  throw new Error(`no module implements action '${name}'`);
}

/** How a step gets its cloud clients: built per step so every call carries the step's id. */
export interface ContextFactory {
  aws(input: ActionInput): AwsContext;
  azure(input: ActionInput): AzureContext;
  cordon(input: ActionInput): CordonContext;
}

export type ActionExecutor = (input: ActionInput) => Promise<ActionResult>;

/** The action runner: one action on one target, with the right cloud's context. Never throws for cloud errors. */
export function createActionExecutor(contexts: ContextFactory): ActionExecutor {
  return async (input) => {
    const entry = actionModule(input.action);
    try {
      switch (entry.cloud) {
        case 'aws':
          return await entry.module.run(input, contexts.aws(input));
        case 'azure':
          return await entry.module.run(input, contexts.azure(input));
        case 'cordon':
          return await entry.module.run(input, contexts.cordon(input));
      }
    } catch (e) {
      // Actions classify cloud errors themselves; anything thrown here is unexpected and must not stop the workflow.
      return { status: 'failed', errorClass: 'Unknown', message: `${input.action}: ${(e as Error).message ?? String(e)}` };
    }
  };
}

/** The exact API calls a dry run prints. */
export function plannedCalls(input: ActionInput): PlannedCall[] {
  return actionModule(input.action).module.plannedCalls(input);
}
