import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ACTION_CATALOG } from '../functions/core/actions/catalog.js';
import { DEFAULT_PROTECTED_PRINCIPALS, OWN_ROLE_PATTERNS } from '../functions/core/trust/trust.js';

/** How ARNs are rendered: CloudFormation tokens in a stack, `<AWS::…>` in cdk-nag finding ids. */
export interface ArnParts {
  partition: string;
  account: string;
}

type Conditions = Record<string, Record<string, string>>;
interface Grant {
  resources: string[];
  conditions?: Conditions;
}

/** `{partition}`/`{account}` in the catalog's ARN templates → the policy's own (accounts are the one the policy lives in). */
const fill = (template: string, p: ArnParts) => template.replaceAll('{partition}', p.partition).replaceAll('{account}', p.account);

/**
 * Each IAM action's grants across every AWS action that declares it: grants with the same
 * conditions merge their resources, so one IAM action shared by two actions (ec2:CreateTags)
 * is one grant covering both.
 */
function scopesOf(parts: ArnParts): Map<string, { grants: Grant[]; why: string[] }> {
  const scopes = new Map<string, { grants: Grant[]; why: string[] }>();
  for (const spec of Object.values(ACTION_CATALOG)) {
    if (spec.cloud !== 'aws') continue;
    for (const permission of spec.permissions) {
      if (!permission.grants || permission.grants.length === 0 || !permission.why) throw new UnscopedPermissionError(permission.action);
      const scope = scopes.get(permission.action) ?? { grants: [], why: [] };
      for (const g of permission.grants) {
        const conditions = g.conditions as Conditions | undefined;
        const same = scope.grants.find((x) => JSON.stringify(x.conditions ?? null) === JSON.stringify(conditions ?? null));
        const resources = g.resources.map((r) => fill(r, parts));
        if (same) same.resources.push(...resources.filter((r) => !same.resources.includes(r)));
        else scope.grants.push({ resources, ...(conditions ? { conditions } : {}) });
      }
      if (!scope.why.includes(permission.why)) scope.why.push(permission.why);
      scopes.set(permission.action, scope);
    }
  }
  return scopes;
}

export class UnscopedPermissionError extends Error {
  constructor(readonly permission: string) {
    super(`functions/core/actions/catalog.ts: '${permission}' has no resource scope (grants and why); add one`);
    this.name = 'UnscopedPermissionError';
  }
}

/** Every IAM action the AWS actions in the catalog declare, sorted and de-duplicated. */
export function catalogAwsPermissions(): string[] {
  const all = Object.values(ACTION_CATALOG)
    .filter((spec) => spec.cloud === 'aws')
    .flatMap((spec) => spec.permissions.map((p) => p.action));
  return [...new Set(all)].sort();
}

export interface ScopedStatement {
  sid: string;
  /** Allow unless said. */
  effect?: 'Deny';
  actions: string[];
  resources: string[];
  conditions?: Conditions;
  /** Why each wildcard in `resources` is unavoidable. */
  why: string[];
}

/** The catalog's permissions grouped into statements, one per distinct resource set and condition. */
export function responseStatements(parts: ArnParts): ScopedStatement[] {
  const groups = new Map<string, ScopedStatement>();
  const scopes = scopesOf(parts);
  for (const permission of catalogAwsPermissions()) {
    const scope = scopes.get(permission);
    if (!scope) throw new UnscopedPermissionError(permission);
    for (const grant of scope.grants) {
      const key = JSON.stringify([grant.resources, grant.conditions ?? null]);
      const group = groups.get(key) ?? { sid: '', actions: [], resources: grant.resources, conditions: grant.conditions, why: [] };
      if (!group.actions.includes(permission)) group.actions.push(permission);
      for (const why of scope.why) if (!group.why.includes(why)) group.why.push(why);
      groups.set(key, group);
    }
  }
  return [...groups.values()].map((g, i) => ({ ...g, sid: `CordonResponse${i + 1}` }));
}

/** Every IAM write: whatever the catalog grants now or later, none of it reaches a protected principal. */
export const IAM_WRITES = ['iam:Add*', 'iam:Attach*', 'iam:Change*', 'iam:Create*', 'iam:Deactivate*', 'iam:Delete*', 'iam:Detach*', 'iam:Pass*', 'iam:Put*', 'iam:Remove*', 'iam:Reset*', 'iam:Set*', 'iam:Tag*', 'iam:Untag*', 'iam:Update*'];

/**
 * The deny beside the grants (DESIGN.md §4): the runner can never change Cordon's own roles or the
 * protected principals (break-glass, organization access), whatever a finding names — the same
 * patterns the trust step refuses at plan time (core/trust/trust.ts), here enforced by IAM itself.
 * An explicit deny wins over any allow, so a future catalog grant cannot widen it.
 */
export function protectedPrincipalsDeny(parts: ArnParts): ScopedStatement {
  const patterns = [...OWN_ROLE_PATTERNS, ...DEFAULT_PROTECTED_PRINCIPALS];
  const resources = patterns.flatMap((p) => ['role', 'user'].flatMap((kind) => [`arn:${parts.partition}:iam::${parts.account}:${kind}/${p}`, `arn:${parts.partition}:iam::${parts.account}:${kind}/*/${p}`]));
  return { sid: 'CordonNeverTouchesProtectedPrincipals', effect: 'Deny', actions: IAM_WRITES, resources, why: [] };
}

export function toPolicyStatements(statements: readonly ScopedStatement[]): PolicyStatement[] {
  return statements.map(
    (s) => new PolicyStatement({ sid: s.sid, ...(s.effect === 'Deny' ? { effect: Effect.DENY } : {}), actions: s.actions, resources: s.resources, conditions: s.conditions }),
  );
}

/** The ARN parts as cdk-nag renders CloudFormation pseudo parameters in its finding ids. */
export const NAG_ARN_PARTS: ArnParts = { partition: '<AWS::Partition>', account: '<AWS::AccountId>' };
