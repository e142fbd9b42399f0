import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The playbook ids DESIGN.md fixes: the stack needs a state machine for each of them. */
export const FIXED_PLAYBOOK_IDS = [
  'aws-ec2-compromise',
  'aws-iam-credential-compromise',
  'aws-s3-data-exposure',
  'azure-vm-compromise',
  'azure-storage-exposure',
  'azure-identity-compromise',
] as const;

/** The DefinitionSubstitutions the workflow compiler leaves in the ASL for the stack to fill. */
export const ASL_SUBSTITUTIONS = [
  'ActionRunnerFunctionArn',
  'ApprovalFunctionArn',
  'EscalationTopicArn',
  'AzureActionRunnerUrl',
  'AzureRunnerConnectionArn',
] as const;
export type AslSubstitution = (typeof ASL_SUBSTITUTIONS)[number];

export interface CompiledPlaybook {
  id: string;
  file: string;
  /** The ASL JSON text, verbatim (placeholders intact). */
  definition: string;
}

export interface PlaybookAslLoad {
  compiled: CompiledPlaybook[];
  /** One line per playbook that could not be deployed, naming the file and the problem. */
  problems: string[];
}

/** Playbook ids declared in `playbooks/*.yaml` (their `id` field), plus the fixed ones. */
export function expectedPlaybookIds(playbooksDir: string): string[] {
  const ids = new Set<string>(FIXED_PLAYBOOK_IDS);
  if (existsSync(playbooksDir)) {
    for (const name of readdirSync(playbooksDir).sort()) {
      if (!/\.ya?ml$/.test(name)) continue;
      const doc: unknown = parseYaml(readFileSync(join(playbooksDir, name), 'utf8'));
      const id = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).id : undefined;
      if (typeof id === 'string') ids.add(id);
    }
  }
  return [...ids].sort();
}

/**
 * Reads `<aslDir>/<id>.asl.json` for each playbook. A missing or malformed file is reported,
 * never replaced: the stack deploys only ASL the workflow compiler produced.
 */
export function loadCompiledPlaybooks(ids: readonly string[], aslDir: string): PlaybookAslLoad {
  const compiled: CompiledPlaybook[] = [];
  const problems: string[] = [];
  for (const id of ids) {
    const file = join(aslDir, `${id}.asl.json`);
    if (!existsSync(file)) {
      problems.push(`${file}: missing; run 'cordon playbooks compile' to generate the state machine for playbook '${id}'`);
      continue;
    }
    const definition = readFileSync(file, 'utf8');
    const problem = aslShapeProblem(definition);
    if (problem) problems.push(`${file}: ${problem}`);
    else compiled.push({ id, file, definition });
  }
  return { compiled, problems };
}

function aslShapeProblem(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (typeof doc !== 'object' || doc === null) return 'not an ASL object';
  const { StartAt, States } = doc as Record<string, unknown>;
  if (typeof StartAt !== 'string') return 'field StartAt: missing';
  if (typeof States !== 'object' || States === null || !(StartAt in States)) return `field States: has no state '${StartAt}'`;
  return undefined;
}
