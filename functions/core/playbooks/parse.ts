import { parseDocument } from 'yaml';
import type * as z from 'zod';
import { ACTION_CATALOG } from '../actions/catalog.js';
import { InputError } from '../errors.js';
import { PlaybookSchema } from './schema.js';
import type { Playbook } from './schema.js';

/**
 * Playbook text → validated Playbook (pure: no file access). Problems name the path inside the
 * playbook (`steps[1].action`) so `cordon playbooks validate` can point at the line to fix.
 */
export interface PlaybookProblem {
  field: string;
  problem: string;
}

export type PlaybookCheck = { playbook: Playbook; problems: [] } | { playbook?: undefined; problems: PlaybookProblem[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown): PlaybookProblem {
  const field = formatPath(issue.path);
  if (issue.code === 'invalid_value') {
    const got = valueAt(root, issue.path);
    const shown = typeof got === 'string' ? `'${got}'` : JSON.stringify(got);
    const noun = issue.path.at(-1) === 'action' ? 'action' : 'value';
    return { field, problem: `unknown ${noun} ${shown}; expected one of ${issue.values.map(String).join(', ')}` };
  }
  if (issue.code === 'unrecognized_keys') {
    return { field, problem: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` };
  }
  if (issue.code === 'invalid_type' && valueAt(root, issue.path) === undefined) {
    return { field, problem: `required (${issue.expected})` };
  }
  return { field, problem: issue.message };
}

/** Rules the schema alone cannot state: they relate a step to the action catalog and the match. */
function crossCheck(playbook: Playbook): PlaybookProblem[] {
  const problems: PlaybookProblem[] = [];
  const matchedSources = new Set<string>(playbook.match.source);
  playbook.steps.forEach((step, i) => {
    const spec = ACTION_CATALOG[step.action];
    if (spec.cloud !== 'cordon' && spec.cloud !== playbook.cloud) {
      problems.push({
        field: `steps[${i}].action`,
        problem: `${step.action} is an ${spec.cloud} action; this playbook's cloud is ${playbook.cloud}`,
      });
    }
    step.targets?.forEach((type, j) => {
      if (!spec.targets.includes(type)) {
        problems.push({
          field: `steps[${i}].targets[${j}]`,
          problem: `unknown target type '${type}' for ${step.action}; it acts on ${spec.targets.join(', ')}`,
        });
      }
    });
    step.sources?.forEach((source, j) => {
      if (!matchedSources.has(source)) {
        problems.push({
          field: `steps[${i}].sources[${j}]`,
          problem: `the playbook never matches ${source} findings (match.source: ${playbook.match.source.join(', ')})`,
        });
      }
    });
  });
  return problems;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

export function checkPlaybook(text: string): PlaybookCheck {
  if (text.trim() === '') return { problems: [{ field: '', problem: 'empty file' }] };
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({ field: lineAndColumn(text, e.pos[0]), problem: `invalid YAML: ${e.message}` })),
    };
  }
  const raw: unknown = doc.toJS();
  const parsed = PlaybookSchema.safeParse(raw);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => describeIssue(issue, raw)) };
  const problems = crossCheck(parsed.data);
  return problems.length > 0 ? { problems } : { playbook: parsed.data, problems: [] };
}

/** Parses one playbook; the first problem becomes an InputError naming the file and the path. */
export function parsePlaybook(text: string, file: string): Playbook {
  const checked = checkPlaybook(text);
  if (checked.playbook) return checked.playbook;
  const first = checked.problems[0] ?? { field: '', problem: 'invalid playbook' };
  throw new InputError(file, first.field, first.problem);
}
