import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { checkPlaybook } from './parse.js';
import type { PlaybookProblem } from './parse.js';
import type { Playbook } from './schema.js';

/**
 * The file-system edge of playbooks: reading `playbooks/*.yaml`. Parsing and validation are pure
 * (parse.ts); this module only lists, reads and checks that ids are unique across files.
 */
export { checkPlaybook, parsePlaybook } from './parse.js';

export interface PlaybookFileReport {
  file: string;
  id?: string;
  problems: string[];
}

/** The repository's `playbooks/`, resolved from this module so it works from any working directory. */
export function defaultPlaybookDir(): string {
  return fileURLToPath(new URL('../../../playbooks/', import.meta.url));
}

function playbookFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String(e.code) : 'unreadable';
    throw new InputError(dir, '', `cannot read the playbook directory (${reason})`);
  }
  return names
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort()
    .map((n) => join(dir, n));
}

interface ScannedFile {
  file: string;
  id?: string;
  playbook?: Playbook;
  problems: PlaybookProblem[];
}

/** Reads and checks every file; a duplicate id is a problem of the later file. */
function scan(dir: string): ScannedFile[] {
  const seen = new Map<string, string>();
  return playbookFiles(dir).map((file) => {
    const checked = checkPlaybook(readFileSync(file, 'utf8'));
    if (!checked.playbook) return { file, problems: checked.problems };
    const { id } = checked.playbook;
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, file);
      return { file, id, playbook: checked.playbook, problems: [] };
    }
    return { file, id, problems: [{ field: 'id', problem: `duplicate playbook id '${id}' (also in ${first})` }] };
  });
}

/** Every playbook file with its problems (empty when valid), for `cordon playbooks validate`. */
export function validatePlaybookDir(dir: string): PlaybookFileReport[] {
  return scan(dir).map(({ file, id, problems }) => {
    const messages = problems.map((p) => (p.field ? `${p.field}: ${p.problem}` : p.problem));
    return id === undefined ? { file, problems: messages } : { file, id, problems: messages };
  });
}

/** All playbooks in `dir`, or an InputError naming the first bad file, the path and the problem. */
export function loadPlaybooks(dir: string = defaultPlaybookDir()): Playbook[] {
  const playbooks: Playbook[] = [];
  for (const { file, playbook, problems } of scan(dir)) {
    if (!playbook) {
      const first = problems[0] ?? { field: '', problem: 'invalid playbook' };
      throw new InputError(file, first.field, first.problem);
    }
    playbooks.push(playbook);
  }
  return playbooks;
}
