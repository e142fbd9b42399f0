import { resolve } from 'node:path';
import { INCIDENT_ID } from '../core/incident-id.js';

/** `$CORDON_HOME`, default `.cordon/` in the working directory (DESIGN.md §3). */
export function cordonHome(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return resolve(cwd, env.CORDON_HOME && env.CORDON_HOME !== '' ? env.CORDON_HOME : '.cordon');
}

// Incident ids are `inc-` + 16 hex digits (core/incident-id.ts); anything else is refused before it reaches a path.

export class InvalidIncidentIdError extends Error {
  override readonly name = 'InvalidIncidentIdError';
  constructor(readonly id: string) {
    super(`not an incident id (expected inc- and 16 hex digits): ${JSON.stringify(id)}`);
  }
}

export function assertIncidentId(id: string): string {
  if (!INCIDENT_ID.test(id)) throw new InvalidIncidentIdError(id);
  return id;
}
