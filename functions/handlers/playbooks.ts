import { loadPlaybooks } from '../core/playbooks/load.js';
import { compileRouter, type Router } from '../core/playbooks/match.js';
import type { Playbook } from '../core/playbooks/schema.js';

/**
 * Playbooks for the cloud entry points. A bundle has no `playbooks/` directory next to it, so
 * the bundler (infra/bundling.ts) embeds the parsed, validated playbooks as the constant
 * `__CORDON_PLAYBOOKS__`; unbundled (tests, local runs) they are read from the repository.
 */
declare const __CORDON_PLAYBOOKS__: readonly Playbook[] | undefined;

let cached: { playbooks: readonly Playbook[]; router: Router } | undefined;

export function handlerPlaybooks(): { playbooks: readonly Playbook[]; router: Router } {
  if (!cached) {
    const playbooks = typeof __CORDON_PLAYBOOKS__ !== 'undefined' ? __CORDON_PLAYBOOKS__ : loadPlaybooks();
    cached = { playbooks, router: compileRouter(playbooks) };
  }
  return cached;
}
