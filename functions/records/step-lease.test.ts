import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { StepRecord } from './case-store.js';
import { STEP_LEASE_MS, claimFor, ownerIsDead, stepOwner } from './step-lease.js';

/** A pid that existed and is gone: a child that already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const running = (owner: string): StepRecord => ({ incident: 'inc-1', stepId: 's', status: 'running', owner, attempts: 1, startedAt: '2024-03-30T22:20:00.000Z' });

describe('step leases', () => {
  it('names the owner by actor, pid and host', () => {
    expect(stepOwner('cordon/tabletop', 123, 'box')).toBe('cordon/tabletop/123@box');
  });

  it('knows a dead process on this host, and claims nothing about other hosts or live processes', () => {
    expect(ownerIsDead(stepOwner('cordon/automatic', deadPid()))).toBe(true);
    expect(ownerIsDead(stepOwner('cordon/automatic', process.pid))).toBe(false);
    expect(ownerIsDead(stepOwner('cordon/automatic', process.ppid))).toBe(false);
    expect(ownerIsDead(stepOwner('cordon/automatic', deadPid(), `${hostname()}-elsewhere`))).toBe(false);
    expect(ownerIsDead('cordon/tabletop/12345')).toBe(false); // an owner written before hosts were recorded
  });

  it('builds a claim that replaces a dead owner and carries the lease', () => {
    const dead = stepOwner('cordon/tabletop', deadPid());
    const at = '2024-03-30T23:00:00.000Z';
    expect(claimFor(running(dead), 'me', at)).toEqual({
      at,
      owner: 'me',
      staleBefore: new Date(Date.parse(at) - STEP_LEASE_MS).toISOString(),
      replaces: { owner: dead, startedAt: '2024-03-30T22:20:00.000Z' },
    });
    expect(claimFor(running(stepOwner('cordon/tabletop')), 'me', at).replaces).toBeUndefined();
    expect(claimFor(undefined, 'me', at).replaces).toBeUndefined();
  });
});
