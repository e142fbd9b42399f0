import { resolve } from 'node:path';
import * as z from 'zod';
import { readEnv } from '../core/env.js';
import { InputError, UsageError } from '../core/errors.js';
import { BREACH_TRIGGERS, SEVERITIES, type BreachTrigger, type Mode } from '../core/model.js';
import { DEFAULT_CLASSIFICATION, DEFAULT_SIGNIFICANCE, type ClassificationRule, type SignificanceRule } from '../core/clocks/assessment.js';
import { DEFAULT_CLOCK_OPTIONS } from '../core/clocks/clocks.js';
import { planSettings, type PlanSettings } from '../core/plan/plan.js';
import { DEFAULT_TRUSTED_PRODUCTS, type TrustSettings } from '../core/trust/trust.js';
import { PreservationEnvShape, preservationFromEnv, type PreservationSettings } from '../core/actions/preservation.js';

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
  /** Organization-wide cap on actions per hour, beside the per-account one. */
  CORDON_MAX_ACTIONS_PER_ORG_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).optional(),
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
  ...PreservationEnvShape,
});

/** Comma-separated list; blanks dropped. */
const listOf = (item: z.ZodString) =>
  z
    .string()
    .transform((v) => v.split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .pipe(z.array(item));

/**
 * The trust boundary's settings (DESIGN.md §4), shared by the CLI and the cloud handlers: the same
 * names mean the same thing in a shell, a Lambda and an Azure Function.
 */
export const TrustEnvSchema = z.object({
  /** Security Hub product names (`product/aws/NAME`) whose findings act automatically. */
  CORDON_TRUSTED_PRODUCTS: listOf(z.string().regex(/^[a-z0-9-]+$/, 'expected product names such as guardduty,inspector')).optional(),
  /** AWS accounts Cordon may act in (unset: the organization in the cloud; the estate and findings in a tabletop). */
  CORDON_ACCOUNTS: listOf(z.string().regex(/^\d{12}$/, 'expected 12-digit AWS account ids, comma-separated')).optional(),
  CORDON_SUBSCRIPTIONS: listOf(z.string().min(1)).optional(),
  CORDON_TENANTS: listOf(z.string().min(1)).optional(),
  /** Cordon's own security account: never a target. */
  CORDON_OWN_ACCOUNT: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id').optional(),
  /** Extra IAM role/user names (globs) Cordon never acts on, on top of break-glass and organization access. */
  CORDON_PROTECTED_PRINCIPALS: listOf(z.string().min(1)).optional(),
  /** Entra users (object id or UPN) Cordon never disables or signs out. */
  CORDON_PROTECTED_USERS: listOf(z.string().min(1)).optional(),
});

/** The trust settings an environment configures; a bad value is an input error naming the variable. */
export function trustFromEnv(env: Readonly<Record<string, string | undefined>>): TrustSettings {
  const e = readEnv(TrustEnvSchema, env, (variable, problem) => new InputError('environment', variable, problem), { emptyIsUnset: true });
  const trust: TrustSettings = { trustedProducts: e.CORDON_TRUSTED_PRODUCTS ?? DEFAULT_TRUSTED_PRODUCTS };
  if (e.CORDON_ACCOUNTS) trust.allowedAccounts = e.CORDON_ACCOUNTS;
  if (e.CORDON_SUBSCRIPTIONS) trust.allowedSubscriptions = e.CORDON_SUBSCRIPTIONS;
  if (e.CORDON_TENANTS) trust.allowedTenants = e.CORDON_TENANTS;
  if (e.CORDON_OWN_ACCOUNT) trust.ownAccount = e.CORDON_OWN_ACCOUNT;
  if (e.CORDON_PROTECTED_PRINCIPALS) trust.protectedPrincipals = e.CORDON_PROTECTED_PRINCIPALS;
  if (e.CORDON_PROTECTED_USERS) trust.protectedUsers = e.CORDON_PROTECTED_USERS;
  return trust;
}

/**
 * In a tabletop or with `--sim`, accounts nobody configured are those of the estate file and of
 * the findings replayed (DESIGN.md §4): the exercise acts only where its own inputs are.
 */
export interface Scope {
  accounts: readonly string[];
  subscriptions: readonly string[];
  tenants: readonly string[];
}

export function withDefaultScope(trust: TrustSettings, scope: Scope): TrustSettings {
  return {
    ...trust,
    allowedAccounts: trust.allowedAccounts ?? [...new Set(scope.accounts)],
    allowedSubscriptions: trust.allowedSubscriptions ?? [...new Set(scope.subscriptions)],
    allowedTenants: trust.allowedTenants ?? [...new Set(scope.tenants)],
  };
}

export interface Settings {
  home: string;
  nis2: boolean;
  maxTargetsPerIncident: number;
  maxActionsPerAccountPerHour: number;
  maxActionsPerOrgPerHour: number;
  reminderOffsetsMs: number[];
  gdprRole: 'controller' | 'processor';
  processorNotifyHours: number;
  classification: ClassificationRule;
  nis2Significance: SignificanceRule;
  trust: TrustSettings;
  preservation: PreservationSettings;
}

/** Four times the per-account default: a burst across a few accounts passes, an organization-wide sweep does not. */
export const DEFAULT_ORG_ACTIONS_PER_HOUR = 200;

/** Every setting but where the local records live: what a cloud host (Lambda, Function App) plans under. */
export type OperatorSettings = Omit<Settings, 'home'>;

export function loadSettings(env: Readonly<Record<string, string | undefined>>, cwd: string): Settings {
  // A shell user's `CORDON_HOME=` means "unset".
  const s = readEnv(Schema, env, (variable, problem) => new InputError('environment', variable, problem), { emptyIsUnset: true });
  const homeProblem = s.CORDON_HOME === undefined ? undefined : pathProblem(s.CORDON_HOME);
  if (homeProblem) throw new InputError('environment', 'CORDON_HOME', homeProblem);
  return { home: resolve(cwd, s.CORDON_HOME ?? '.cordon'), ...loadOperatorSettings(env) };
}

/**
 * The operator's settings from the environment, the same names in a shell, a Lambda and an Azure
 * Function: a cloud intake plans under exactly what a tabletop of the same configuration plans under.
 */
export function loadOperatorSettings(env: Readonly<Record<string, string | undefined>>): OperatorSettings {
  const s = readEnv(Schema, env, (variable, problem) => new InputError('environment', variable, problem), { emptyIsUnset: true });
  return {
    nis2: s.CORDON_NIS2 === 'true',
    maxTargetsPerIncident: s.CORDON_MAX_TARGETS ?? 10,
    maxActionsPerAccountPerHour: s.CORDON_MAX_ACTIONS_PER_HOUR ?? 50,
    maxActionsPerOrgPerHour: s.CORDON_MAX_ACTIONS_PER_ORG_PER_HOUR ?? DEFAULT_ORG_ACTIONS_PER_HOUR,
    trust: trustFromEnv(env),
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
    preservation: preservationFromEnv(s, (variable, problem) => new InputError('environment', variable, problem)),
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
export function planSettingsFor(settings: OperatorSettings, run: { mode: Mode; now: Date; awareAt?: Date }): PlanSettings {
  return planSettings({
    ...run,
    nis2: settings.nis2,
    nis2Significance: settings.nis2Significance,
    gdprRole: settings.gdprRole,
    processorNotifyHours: settings.processorNotifyHours,
    classification: settings.classification,
    maxTargetsPerIncident: settings.maxTargetsPerIncident,
    maxActionsPerAccountPerHour: settings.maxActionsPerAccountPerHour,
    maxActionsPerOrgPerHour: settings.maxActionsPerOrgPerHour,
    trust: settings.trust,
    preservation: settings.preservation,
  });
}
