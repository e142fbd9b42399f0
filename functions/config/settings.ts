import { resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';

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
  const parsed = Schema.safeParse(Object.fromEntries(Object.keys(Schema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]])));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError('environment', String(issue?.path[0] ?? ''), issue?.message ?? 'invalid');
  }
  const s = parsed.data;
  const home = resolve(cwd, s.CORDON_HOME ?? '.cordon');
  if (home.includes('\0')) throw new InputError('environment', 'CORDON_HOME', 'must be a plain directory path');
  return {
    home,
    nis2: s.CORDON_NIS2 === 'true',
    maxTargetsPerIncident: s.CORDON_MAX_TARGETS ?? 10,
    maxActionsPerAccountPerHour: s.CORDON_MAX_ACTIONS_PER_HOUR ?? 50,
    reminderOffsetsMs: (s.CORDON_REMINDERS ?? '24h,4h').split(',').map((o) => Number(o.slice(0, -1)) * (o.endsWith('h') ? 3_600_000 : 60_000)),
  };
}
