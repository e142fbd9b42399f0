import * as z from 'zod';
import { ACTION_NAMES, PHASES, SEVERITIES, SOURCES } from '../model.js';

/**
 * A playbook is data: when it applies (match) and what it does (steps). The workflow
 * compiler turns it into one ASL state machine; the planner turns it plus a finding into steps.
 */
export const PLAYBOOK_ID = /^[a-z][a-z0-9-]{2,62}$/;

const upper = <T extends readonly [string, ...string[]]>(values: T) => z.array(z.enum(values)).min(1);

export const MatchSchema = z
  .object({
    source: z.array(z.enum(SOURCES)).min(1),
    /** Globs over the finding type (`*` any run of characters), e.g. `Backdoor:EC2/*`. */
    types: z.array(z.string().min(1)).min(1).optional(),
    /** Security Hub control ids, e.g. `S3.1`. */
    controls: z.array(z.string().min(1)).min(1).optional(),
    minSeverity: z.enum(SEVERITIES).default('informational'),
    /** Stricter floors for some types: a finding whose type matches one of `types` needs `minSeverity`. */
    severityFloors: z
      .array(z.object({ types: z.array(z.string().min(1)).min(1), minSeverity: z.enum(SEVERITIES) }).strict())
      .min(1)
      .optional(),
    /** The finding must name at least one resource of these types. */
    resourceTypes: z.array(z.string().min(1)).min(1).optional(),
    complianceStatus: upper(['FAILED', 'WARNING', 'NOT_AVAILABLE'] as const).optional(),
    recordState: upper(['ACTIVE'] as const).default(['ACTIVE']),
    workflowStatus: upper(['NEW', 'NOTIFIED'] as const).default(['NEW', 'NOTIFIED']),
  })
  .strict();

export const StepSchema = z
  .object({
    action: z.enum(ACTION_NAMES),
    /** Defaults to the action's own phase. */
    phase: z.enum(PHASES).optional(),
    /** Which of the finding's resources this step acts on (resource types); defaults to the action's target types. */
    targets: z.array(z.string().min(1)).min(1).optional(),
    /** Only for findings from these sources (e.g. update-finding only for Security Hub). */
    sources: z.array(z.enum(SOURCES)).min(1).optional(),
    /** Only for findings whose type matches one of these globs (e.g. open-clock only on exfiltration). */
    types: z.array(z.string().min(1)).min(1).optional(),
    /** Not for findings whose type matches one of these globs (e.g. no fleet-wide role revocation for one instance's stolen credentials). */
    exceptTypes: z.array(z.string().min(1)).min(1).optional(),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .strict();

export const PlaybookSchema = z
  .object({
    id: z.string().regex(PLAYBOOK_ID, 'lower-case letters, digits and dashes'),
    title: z.string().min(1),
    description: z.string().min(1),
    /** Lower runs first when several playbooks match. */
    priority: z.number().int().min(0).max(1000).default(100),
    cloud: z.enum(['aws', 'azure']),
    match: MatchSchema,
    steps: z.array(StepSchema).min(1),
    /**
     * What this playbook's findings mean for the regulatory clocks (DESIGN.md §5, functions/core/clocks/assessment.ts).
     * `gdpr`: its incidents can be personal data breaches (GDPR Art. 33); `exposure`: finding types that show data
     * exposed, accessed or exfiltrated; `public`: those of them that show the resource open to anyone (Art. 34);
     * `compromise`: finding types that are a compromise of a host or identity. Control checks are posture whatever
     * their type. NIS2 clocks follow the significance rule of the settings.
     */
    clocks: z
      .object({
        gdpr: z.boolean().default(false),
        exposure: z.array(z.string().min(1)).min(1).optional(),
        public: z.array(z.string().min(1)).min(1).optional(),
        compromise: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .default({ gdpr: false }),
    /**
     * `required`: every step that acts on a resource waits for a person; otherwise only resources tagged
     * cordon:approval=required do. Notify steps never wait: they change nothing in the estate.
     */
    approval: z.enum(['none', 'required']).default('none'),
    limits: z
      .object({ maxTargets: z.number().int().min(1).max(1000).default(10) })
      .strict()
      .default({ maxTargets: 10 }),
  })
  .strict();

export type Playbook = z.infer<typeof PlaybookSchema>;
export type PlaybookStep = z.infer<typeof StepSchema>;
export type PlaybookMatch = z.infer<typeof MatchSchema>;
