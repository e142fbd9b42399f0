import type { ActionInput, ActionResult, EvidenceSink, PlannedCall } from '../core/actions/types.js';
import type { ActionName } from '../core/model.js';
import type { AwsContext } from '../adapters/aws/clients.js';
import type { AzureContext } from '../adapters/azure/clients.js';
import { openClock, type CordonContext } from './cordon/open-clock.js';
import type { ActionModule } from './types.js';

export type ActionTable<Ctx> = Partial<Record<ActionName, ActionModule<Ctx>>>;

/** Which clouds' action modules a runner carries: the local engine all, the AWS Lambda only AWS's. */
export interface ActionTables {
  aws?: ActionTable<AwsContext>;
  azure?: ActionTable<AzureContext>;
}

type Entry =
  | { cloud: 'aws'; module: ActionModule<AwsContext> }
  | { cloud: 'azure'; module: ActionModule<AzureContext> }
  | { cloud: 'cordon'; module: ActionModule<CordonContext> };

export function lookupAction(tables: ActionTables, name: ActionName): Entry {
  const aws = tables.aws?.[name];
  if (aws) return { cloud: 'aws', module: aws };
  const azure = tables.azure?.[name];
  if (azure) return { cloud: 'azure', module: azure };
  if (name === 'open-clock') return { cloud: 'cordon', module: openClock };
  throw new Error(`this action runner does not carry '${name}'`);
}

/** How a step gets its cloud clients (per region / subscription; the step id travels with the call). */
export interface ContextFactory {
  aws(input: ActionInput): AwsContext;
  azure(input: ActionInput): AzureContext;
  cordon(input: ActionInput): CordonContext;
}

/** One action on one target; `evidence` is where the action records evidence as the cloud makes it (the step engine's sink). */
export type ActionExecutor = (input: ActionInput, evidence?: EvidenceSink) => Promise<ActionResult>;

/** The action runner: one action on one target, with the right cloud's context. Never throws for cloud errors. */
export function dispatchActions(tables: ActionTables, contexts: Partial<ContextFactory>): ActionExecutor {
  return async (input, evidence) => {
    try {
      const entry = lookupAction(tables, input.action);
      const context = <K extends keyof ContextFactory>(cloud: K): ReturnType<ContextFactory[K]> => {
        const make = contexts[cloud];
        if (!make) throw new Error(`no ${cloud} context in this action runner`);
        const made = make(input) as ReturnType<ContextFactory[K]>;
        return evidence ? { ...made, evidence } : made;
      };
      switch (entry.cloud) {
        case 'aws':
          return await entry.module.run(input, context('aws'));
        case 'azure':
          return await entry.module.run(input, context('azure'));
        case 'cordon':
          return await entry.module.run(input, context('cordon'));
      }
    } catch (e) {
      // Actions classify cloud errors themselves; anything thrown here is unexpected and must not stop the workflow.
      return { status: 'failed', errorClass: 'Unknown', message: `${input.action}: ${(e as Error).message ?? String(e)}` };
    }
  };
}

export function plannedCallsFrom(tables: ActionTables, input: ActionInput): PlannedCall[] {
  return lookupAction(tables, input.action).module.plannedCalls(input);
}
