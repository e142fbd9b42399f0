/**
 * The header every SDK request carries so the (simulated) cloud can attribute the call to a
 * workflow step: `<incident>/<step>`. The adapters set it; the simulated estate logs by it.
 */
export const STEP_HEADER = 'x-cordon-step';

/** The correlation id a step's calls carry: unique per incident and step. */
export const stepCorrelation = (input: { incidentId: string; stepId: string }): string => `${input.incidentId}/${input.stepId}`;
