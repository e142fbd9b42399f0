/**
 * The header every SDK request carries so the (simulated) cloud can attribute the call to a
 * workflow step: `<incident>/<step>`. The adapters set it; the simulated estate logs by it.
 */
export const STEP_HEADER = 'x-cordon-step';
