import { describe, expect, it } from 'vitest';
import { ACTION_CATALOG, ACTION_NAMES, ISOLATION_TAG } from './catalog.js';

const specs = Object.values(ACTION_CATALOG);

describe('action catalog', () => {
  it('holds exactly the actions DESIGN.md §3 names, each under its own name', () => {
    expect([...ACTION_NAMES].sort()).toEqual(
      [
        'block-account-public-access',
        'block-s3-public-access',
        'block-storage-public-access',
        'deactivate-access-key',
        'disable-user',
        'detach-from-autoscaling',
        'isolate-subnet',
        'open-clock',
        'quarantine-instance',
        'quarantine-vm',
        'revoke-instance-credentials',
        'revoke-role-sessions',
        'revoke-user-credentials',
        'revoke-user-sessions',
        'rotate-storage-keys',
        'snapshot-disks',
        'snapshot-volumes',
        'update-alert',
        'update-finding',
      ].sort(),
    );
    for (const [name, spec] of Object.entries(ACTION_CATALOG)) expect(spec.name).toBe(name);
  });

  it('gives every AWS permission a resource scope and a reason, and Azure/Graph permissions none', () => {
    for (const spec of specs) {
      for (const p of spec.permissions) {
        const grants = p.grants;
        if (spec.cloud === 'aws') {
          expect(grants?.length, `${spec.name} ${p.action}`).toBeGreaterThan(0);
          for (const g of grants ?? []) expect(g.resources.length, `${spec.name} ${p.action}`).toBeGreaterThan(0);
          expect(p.why?.length ?? 0, `${spec.name} ${p.action}`).toBeGreaterThan(30);
        } else {
          expect(grants, `${spec.name} ${p.action}`).toBeUndefined();
        }
      }
    }
  });

  it('lets quarantine-instance change rules only on, and create only, groups carrying the isolation tag', () => {
    const perms = ACTION_CATALOG['quarantine-instance'].permissions;
    const grantsOf = (action: string) => perms.find((p) => p.action === action)?.grants ?? [];
    for (const action of ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress']) {
      expect(grantsOf(action)).toEqual([
        { resources: ['arn:{partition}:ec2:*:{account}:security-group/*'], conditions: { StringEquals: { [`aws:ResourceTag/${ISOLATION_TAG.key}`]: ISOLATION_TAG.value } } },
      ]);
    }
    const create = grantsOf('ec2:CreateSecurityGroup').find((g) => g.resources.some((r) => r.includes(':security-group/')));
    expect(create?.conditions).toEqual({ StringEquals: { [`aws:RequestTag/${ISOLATION_TAG.key}`]: ISOLATION_TAG.value } });
  });

  it('names a mutating call for every action that changes a cloud, and none for Cordon\'s own', () => {
    for (const spec of specs) {
      if (spec.cloud === 'cordon') expect(spec.mutatingCall).toBeUndefined();
      else expect(spec.mutatingCall?.length ?? 0, spec.name).toBeGreaterThan(0);
    }
  });

  it('can release every action except preservation (DESIGN.md §3)', () => {
    for (const spec of specs) expect(spec.releasable, spec.name).toBe(spec.phase !== 'preserve');
  });

  it('holds the action-specific unfit targets and hints the planner reports', () => {
    const key = ACTION_CATALOG['deactivate-access-key'];
    expect(key.unfitTarget?.({ type: 'AwsIamAccessKey', id: 'ASIAEXAMPLE' })).toMatch(/temporary \(STS\) key/);
    expect(key.unfitTarget?.({ type: 'AwsIamAccessKey', id: 'ASIAEXAMPLE' })).toMatch(/revoke-user-credentials \(a user's\)/);
    expect(key.unfitTarget?.({ type: 'AwsIamAccessKey', id: 'AKIAEXAMPLE' })).toBeUndefined();
    expect(key.unfitTarget?.({ type: 'AwsIamAccessKey', id: 'AKIAROOTKEY', details: { userType: 'Root' } })).toMatch(/root access key: only the account owner/);
    expect(ACTION_CATALOG['block-s3-public-access'].unsupportedHints?.AwsAccount).toMatch(/block-account-public-access takes it/);
  });
});
