import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Playbook } from '../functions/core/playbooks/schema.js';
import type { StateMachine } from './asl.js';
import { compileAll } from './compile.js';
import type { CompileOptions } from './compile.js';

/** The checked-in copy: `workflows/asl/`, resolved from this module so it works from any directory. */
export function defaultAslDir(): string {
  return fileURLToPath(new URL('./asl/', import.meta.url));
}

/** How a machine is stored: two-space JSON in the order the compiler builds it, with a final newline. */
export function renderAsl(machine: StateMachine): string {
  return `${JSON.stringify(machine, null, 2)}\n`;
}

export function aslFileName(id: string): string {
  return `${id}.asl.json`;
}

/** The files `writeCompiled` would write: file name → content. */
export function renderAll(playbooks: readonly Playbook[], options?: CompileOptions): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [id, machine] of Object.entries(compileAll(playbooks, options))) files[aslFileName(id)] = renderAsl(machine);
  return files;
}

/** Writes `<playbook-id>.asl.json` per playbook plus `clock-watch.asl.json`; returns the paths written. */
export function writeCompiled(dir: string, playbooks: readonly Playbook[], options?: CompileOptions): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(renderAll(playbooks, options)).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
