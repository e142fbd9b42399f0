import { resolve } from 'node:path';
import { defaultPlaybookDir, loadPlaybooks } from '../../core/playbooks/load.js';
import type { Playbook } from '../../core/playbooks/schema.js';

/** The bundled playbooks, or those in --playbooks DIR (relative to the working directory). */
export function loadPlaybooksFrom(dir: string | undefined, cwd: string): Playbook[] {
  return loadPlaybooks(dir === undefined ? defaultPlaybookDir() : resolve(cwd, dir));
}
