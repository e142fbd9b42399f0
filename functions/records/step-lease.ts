import { hostname } from 'node:os';
import type { StepClaim, StepRecord } from './case-store.js';

/**
 * Who holds a step, and when a claim left `running` by a process that died may be taken over.
 * An owner is `<actor>/<pid>@<host>`: on the same host a dead pid is proof the claim is abandoned;
 * anywhere else, only the lease running out is (the step's Task timeout and its retries are well
 * inside it, so a live process never loses a step it is still working on).
 */
export const STEP_LEASE_MS = 30 * 60_000;

export function stepOwner(actor: string, pid: number = process.pid, host: string = hostname()): string {
  return `${actor}/${pid}@${host}`;
}

const OWNER = /\/(\d+)@([^/@]+)$/;

/** True when the owner is a process on this host that no longer exists. */
export function ownerIsDead(owner: string, host: string = hostname()): boolean {
  const m = OWNER.exec(owner);
  if (!m || m[2] !== host) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The claim to make on a step: it takes over `previous` when that one is an abandoned running claim. */
export function claimFor(previous: StepRecord | undefined, owner: string, at: string, leaseMs: number = STEP_LEASE_MS): StepClaim {
  const claim: StepClaim = { at, owner, staleBefore: new Date(Date.parse(at) - leaseMs).toISOString() };
  if (previous?.status === 'running' && ownerIsDead(previous.owner)) claim.replaces = { owner: previous.owner, startedAt: previous.startedAt };
  return claim;
}
