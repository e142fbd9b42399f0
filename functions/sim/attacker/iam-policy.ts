/**
 * Just enough IAM policy evaluation to judge a credential: does an explicit Deny in the principal's
 * inline policies cover every action for this request context? Only the condition keys the
 * eviction rules rely on are known (`aws:TokenIssueTime`, `ec2:SourceInstanceARN`); a statement
 * with any other key or operator is taken not to apply, so an unknown deny never closes a foothold.
 */

export interface RequestContext {
  /** Absent for long-term access keys (they have no token issue time). */
  tokenIssueTime?: Date;
  sourceInstanceArn?: string;
}

type Values = string | readonly string[];

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

function contextValue(key: string, ctx: RequestContext): string | undefined {
  switch (key.toLowerCase()) {
    case 'aws:tokenissuetime':
      return ctx.tokenIssueTime?.toISOString();
    case 'ec2:sourceinstancearn':
      return ctx.sourceInstanceArn;
    default:
      return undefined;
  }
}

const KNOWN_KEYS = new Set(['aws:tokenissuetime', 'ec2:sourceinstancearn']);

const glob = (pattern: string, value: string): boolean => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\?/g, '.')).join('.*')}$`).test(value);

/** One condition operator over one key; undefined = an operator this evaluator does not know. */
function test(operator: string, actual: string | undefined, expected: Values): boolean | undefined {
  const ifExists = operator.endsWith('IfExists');
  const op = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const list = asList(expected);
  if (op === 'Null') return list.some((v) => (v === 'true') === (actual === undefined));
  if (actual === undefined) return ifExists;
  switch (op) {
    case 'DateLessThan':
      return list.some((v) => Date.parse(actual) < Date.parse(v));
    case 'DateLessThanEquals':
      return list.some((v) => Date.parse(actual) <= Date.parse(v));
    case 'DateGreaterThan':
      return list.some((v) => Date.parse(actual) > Date.parse(v));
    case 'DateGreaterThanEquals':
      return list.some((v) => Date.parse(actual) >= Date.parse(v));
    case 'StringEquals':
    case 'ArnEquals':
      return list.some((v) => v === actual);
    case 'StringLike':
    case 'ArnLike':
      return list.some((v) => glob(v, actual));
    case 'StringNotEquals':
    case 'ArnNotEquals':
      return list.every((v) => v !== actual);
    default:
      return undefined;
  }
}

function coversEverything(statement: Record<string, unknown>): boolean {
  const actions = asList(statement['Action']);
  const resources = asList(statement['Resource']);
  return actions.includes('*') && resources.includes('*') && statement['NotAction'] === undefined && statement['NotResource'] === undefined;
}

function conditionHolds(condition: unknown, ctx: RequestContext): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null) return false;
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null) return false;
    for (const [key, expected] of Object.entries(block as Record<string, unknown>)) {
      if (!KNOWN_KEYS.has(key.toLowerCase())) return false;
      const result = test(operator, contextValue(key, ctx), expected as Values);
      if (result !== true) return false;
    }
  }
  return true;
}

/** The name of the first inline policy whose Deny covers every action for this context, if any. */
export function denyingPolicy(policies: Readonly<Record<string, string>>, ctx: RequestContext): string | undefined {
  for (const [name, text] of Object.entries(policies)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      continue;
    }
    const statements = (doc as { Statement?: unknown }).Statement;
    for (const s of Array.isArray(statements) ? statements : [statements]) {
      if (typeof s !== 'object' || s === null) continue;
      const st = s as Record<string, unknown>;
      if (st['Effect'] === 'Deny' && coversEverything(st) && conditionHolds(st['Condition'], ctx)) return name;
    }
  }
  return undefined;
}
