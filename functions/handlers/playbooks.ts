import { compileRouter, type Router } from '../core/playbooks/match.js';
import type { Playbook } from '../core/playbooks/schema.js';

/**
 * Playbooks for the cloud entry points. A bundle has no `playbooks/` directory next to it, so
 * the bundler (infra/bundling.ts) embeds the parsed, validated playbooks as the constant
 * `__CORDON_PLAYBOOKS__` and sets `__CORDON_BUNDLED__`; unbundled (tests, local runs) they are
 * read from the repository. The reader is imported only on that path, so a bundle carries no
 * YAML parser.
 */
declare const __CORDON_PLAYBOOKS__: readonly Playbook[] | undefined;
declare const __CORDON_BUNDLED__: boolean | undefined;

export interface HandlerPlaybooks {
  playbooks: readonly Playbook[];
  router: Router;
}

let cached: Promise<HandlerPlaybooks> | undefined;

async function load(): Promise<readonly Playbook[]> {
  // A branch the bundler folds away (the define makes the test constant), import and all.
  if (typeof __CORDON_BUNDLED__ === 'undefined') {
    const { loadPlaybooks } = await import('../core/playbooks/load.js');
    return loadPlaybooks();
  }
  return __CORDON_PLAYBOOKS__ ?? [];
}

export function handlerPlaybooks(): Promise<HandlerPlaybooks> {
  cached ??= load().then((playbooks) => ({ playbooks, router: compileRouter(playbooks) }));
  return cached;
}
