import { resolve } from 'node:path';
import * as z from 'zod';
import { readEnv } from '../core/env.js';
import { InputError, UsageError } from '../core/errors.js';
import type { Mode } from '../core/model.js';
import { planSettings, type PlanSettings } from '../core/plan/plan.js';

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
});

export interface Settings {
  home: string;
  nis2: boolean;
  maxTargetsPerIncident: number;
  maxActionsPerAccountPerHour: number;
  reminderOffsetsMs: number[];
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
    maxTargetsPerIncident: settings.maxTargetsPerIncident,
    maxActionsPerAccountPerHour: settings.maxActionsPerAccountPerHour,
  });
}
