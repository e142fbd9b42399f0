import * as z from 'zod';
import { INCIDENT_ID } from '../core/incident-id.js';
import { ACTION_NAMES, SOURCES } from '../core/model.js';
import { issueLine } from '../core/zod-issue.js';
import type { StepInput } from '../../workflows/input.js';

/**
 * The payload an action Task sends to the action runner (workflows/input.ts `StepInput`),
 * validated at the edge of the Lambda and the Azure Function alike. Extra fields the state
 * machine adds (a previous attempt's `run`, `error`) are dropped; a person's `approvalDecision` is kept.
 */
export const StepInputSchema = z.object({
  incidentId: z.string().regex(INCIDENT_ID),
  stepId: z.string().min(1),
  action: z.enum(ACTION_NAMES),
  target: z.object({ type: z.string().min(1), id: z.string().min(1) }),
  account: z.string().min(1),
  region: z.string(),
  mode: z.enum(['automatic', 'manual', 'tabletop']),
  finding: z.object({
    id: z.string(),
    source: z.enum(SOURCES),
    productArn: z.string().optional(),
    alertResourceId: z.string().optional(),
    observedAt: z.string().optional(),
  }),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  approval: z.boolean(),
  // Kept (the other additions are dropped): the live check lets an approved step act.
  approvalDecision: z.object({ approved: z.boolean(), by: z.string().optional(), reason: z.string().optional() }).optional(),
});

export function parseStepInput(value: unknown): { ok: true; input: StepInput } | { ok: false; problem: string } {
  const parsed = StepInputSchema.safeParse(value);
  return parsed.success ? { ok: true, input: parsed.data as StepInput } : { ok: false, problem: issueLine(parsed.error, '(body)') };
}
