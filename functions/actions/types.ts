import type { ActionInput, ActionResult, ActionSpec, PlannedCall, ReleaseInput } from '../core/actions/types.js';

/**
 * One action, defined once: its static spec (from the core catalog), the API calls a dry
 * run prints, and the code that makes them. The same module serves the Lambda action runner,
 * the Azure Function, the local ASL runner, the CLI and the tabletop.
 * `Ctx` is the cloud's client bundle (AWS or Azure), built per step by the runner.
 */
export interface ActionModule<Ctx> {
  readonly spec: ActionSpec;
  plannedCalls(input: ActionInput): PlannedCall[];
  run(input: ActionInput, ctx: Ctx): Promise<ActionResult>;
  /**
   * Undoes a step from its recorded before-state (`cordon release`); present exactly when the
   * catalog says the action is releasable and it changes a cloud. `succeeded` with `before` = the
   * state found, `after` = the state restored; `already-done` when the target is already as recorded.
   */
  release?(input: ReleaseInput, ctx: Ctx): Promise<ActionResult>;
}
