import { resolve } from 'node:path';
import * as z from 'zod';
import { readEnv } from '../core/env.js';
import { InputError, UsageError } from '../core/errors.js';
import { BREACH_TRIGGERS, SEVERITIES, type BreachTrigger, type Mode } from '../core/model.js';
import { DEFAULT_CLASSIFICATION, DEFAULT_SIGNIFICANCE, type ClassificationRule, type SignificanceRule } from '../core/clocks/assessment.js';
import { DEFAULT_CLOCK_OPTIONS } from '../core/clocks/clocks.js';
import { planSettings, type PlanSettings } from '../core/plan/plan.js';

const tagKeys = z.string().regex(/^[^,\s][^,]*(,[^,\s][^,]*)*$/, 'a comma-separated list of tag keys');
const triggers = z.string().regex(new RegExp(`^(${BREACH_TRIGGERS.join('|')})(,(${BREACH_TRIGGERS.join('|')}))*$`), `a comma-separated list of ${BREACH_TRIGGERS.join(', ')}`);
const list = (value: string) => value.split(',').map((v) => v.trim());

/**
 * Operator settings, from the environment (12-factor: the same names work in Lambda,
 * Azure Functions and a shell). Every value is validated; a bad one is an input error naming it.
 */
const Schema = z.object({
  CORDON_HOME: z.string().min(1).optional(),
  /** The entity is in NIS2 scope: open the Art. 23 clocks beside GDPR's. */
  CORDON_NIS2: z.enum(['true', 'false']).optional(),
  CORDON_MAX_TARGETS: z.coerce.number().int().min(1).max(1000).optional(),
  CORDON_MAX_ACTIONS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).optional(),
  /** Reminder offsets before a deadline, e.g. "24h,4h". */
  CORDON_REMINDERS: z.string().regex(/^\d+[hm](,\d+[hm])*$/).optional(),
  /** GDPR role of the organisation running Cordon: a processor notifies its controller (Art. 33(2)). */
  CORDON_GDPR_ROLE: z.enum(['controller', 'processor']).optional(),
  /** Hours a processor gives itself to notify the controller ("without undue delay"). */
  CORDON_GDPR_PROCESSOR_HOURS: z.coerce.number().int().min(1).max(72).optional(),
  /** Tag keys naming a resource's data class (`personal`, `special-category` …); default data-classification. */
  CORDON_CLASSIFICATION_KEYS: tagKeys.optional(),
  /** Tag keys whose presence marks personal data unless false/none; default personal-data. */
  CORDON_PERSONAL_DATA_KEYS: tagKeys.optional(),
  /** Which incidents are significant under NIS2: kinds of finding (default compromise,exposure) … */
  CORDON_NIS2_SIGNIFICANT: triggers.optional(),
  /** … from this severity up (default low). */
  CORDON_NIS2_MIN_SEVERITY: z.enum(SEVERITIES).optional(),
});

export interface Settings {
  home: string;
  nis2: boolean;
  maxTargetsPerIncident: number;
  maxActionsPerAccountPerHour: number;
  reminderOffsetsMs: number[];
  gdprRole: 'controller' | 'processor';
  processorNotifyHours: number;
  classification: ClassificationRule;
  nis2Significance: SignificanceRule;
}

export function loadSettings(env: Readonly<Record<string, string | undefined>>, cwd: string): Settings {
  // A shell user's `CORDON_HOME=` means "unset".
  const s = readEnv(Schema, env, (variable, problem) => new InputError('environment', variable, problem), { emptyIsUnset: true });
  const homeProblem = s.CORDON_HOME === undefined ? undefined : pathProblem(s.CORDON_HOME);
  if (homeProblem) throw new InputError('environment', 'CORDON_HOME', homeProblem);
  const home = resolve(cwd, s.CORDON_HOME ?? '.cordon');
  return {
    home,
    nis2: s.CORDON_NIS2 === 'true',
    maxTargetsPerIncident: s.CORDON_MAX_TARGETS ?? 10,
    maxActionsPerAccountPerHour: s.CORDON_MAX_ACTIONS_PER_HOUR ?? 50,
    reminderOffsetsMs: (s.CORDON_REMINDERS ?? '24h,4h').split(',').map((o) => Number(o.slice(0, -1)) * (o.endsWith('h') ? 3_600_000 : 60_000)),
    gdprRole: s.CORDON_GDPR_ROLE ?? 'controller',
    processorNotifyHours: s.CORDON_GDPR_PROCESSOR_HOURS ?? DEFAULT_CLOCK_OPTIONS.processorNotifyHours,
    classification: {
      ...DEFAULT_CLASSIFICATION,
      ...(s.CORDON_CLASSIFICATION_KEYS ? { classKeys: list(s.CORDON_CLASSIFICATION_KEYS) } : {}),
      ...(s.CORDON_PERSONAL_DATA_KEYS ? { flagKeys: list(s.CORDON_PERSONAL_DATA_KEYS) } : {}),
    },
    nis2Significance: {
      triggers: s.CORDON_NIS2_SIGNIFICANT ? (list(s.CORDON_NIS2_SIGNIFICANT) as BreachTrigger[]) : DEFAULT_SIGNIFICANCE.triggers,
      minSeverity: s.CORDON_NIS2_MIN_SEVERITY ?? DEFAULT_SIGNIFICANCE.minSeverity,
    },
  };
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why a path an operator gave (`$CORDON_HOME`, `--report`, `--out`) is refused: control characters
 * (a NUL truncates it, a newline forges log lines) or a `..` segment (the path climbs out of where it
 * appears to point). Absolute paths are fine: they say exactly where they go.
 */
export function pathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'must not be empty';
  if (CONTROL.test(path)) return 'must not contain control characters';
  if (path.split(/[/\\]/).includes('..')) return "must not contain '..' segments; give the directory itself (absolute paths are fine)";
  return undefined;
}

/** Resolves an operator-given path against `cwd`, or refuses it (exit 2) naming the option. */
export function operatorPath(command: string, option: string, value: string, cwd: string): string {
  const problem = pathProblem(value);
  if (problem) throw new UsageError(`${command}: ${option} ${problem}, got ${JSON.stringify(value)}`);
  return resolve(cwd, value);
}

/** The planner's settings for a run in `mode` under these operator settings. */
export function planSettingsFor(settings: Settings, run: { mode: Mode; now: Date; awareAt?: Date }): PlanSettings {
  return planSettings({
    ...run,
    nis2: settings.nis2,
    nis2Significance: settings.nis2Significance,
    gdprRole: settings.gdprRole,
    processorNotifyHours: settings.processorNotifyHours,
    classification: settings.classification,
    maxTargetsPerIncident: settings.maxTargetsPerIncident,
    maxActionsPerAccountPerHour: settings.maxActionsPerAccountPerHour,
  });
}
