import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { InputError, UsageError } from '../core/errors.js';
import { firstIssue } from '../core/zod-issue.js';

/** Bundled tabletop exercises: a directory with scenario.yaml, finding files and an estate file. */
export const SCENARIO_DIR = fileURLToPath(new URL('../tabletop/scenarios/', import.meta.url));

const ScenarioSchema = z
  .object({
    title: z.string().min(1),
    description: z.string().min(1),
    findings: z.array(z.string().regex(/^[\w.-]+$/, 'a file name in the scenario directory')).min(1),
    estate: z.string().regex(/^[\w.-]+$/).optional(),
    /** Follow the clocks to their deadlines (compressed) after the incidents run. */
    followClocks: z.boolean().default(false),
  })
  .strict();

export interface Scenario {
  name: string;
  title: string;
  description: string;
  findings: string[];
  estate?: string;
  followClocks: boolean;
}

export function listScenarios(): string[] {
  return readdirSync(SCENARIO_DIR).filter((n) => existsSync(join(SCENARIO_DIR, n, 'scenario.yaml')));
}

export function loadScenario(name: string): Scenario {
  if (!/^[\w-]+$/.test(name) || !existsSync(join(SCENARIO_DIR, name, 'scenario.yaml'))) {
    throw new UsageError(`tabletop: no scenario '${name}'; bundled: ${listScenarios().join(', ')}`);
  }
  const dir = join(SCENARIO_DIR, name);
  const file = join(dir, 'scenario.yaml');
  const parsed = ScenarioSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error, 'invalid scenario');
    throw new InputError(file, field, message);
  }
  const s = parsed.data;
  return { name, title: s.title, description: s.description, findings: s.findings.map((f) => join(dir, f)), followClocks: s.followClocks, ...(s.estate ? { estate: join(dir, s.estate) } : {}) };
}
