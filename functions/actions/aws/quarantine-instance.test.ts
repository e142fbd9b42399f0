import { describe, expect, it } from 'vitest';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { INSTANCE, INSTANCE_ARN, TEST_ESTATE, VPC, WEB_SG, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { ISOLATION_GROUP_NAME, quarantineInstance } from './quarantine-instance.js';

const NOW = new Date('2024-06-01T12:00:00.000Z');
const openEstate = useEstates();

const input = actionInput('quarantine-instance', { type: 'AwsEc2Instance', id: INSTANCE_ARN });
const MUTATING = ['ec2:CreateSecurityGroup', 'ec2:RevokeSecurityGroupEgress', 'ec2:ModifyInstanceAttribute', 'ec2:CreateTags'];

describe('quarantine-instance against the simulated estate', () => {
  it('leaves the instance in a rule-less isolation group with termination protection and records the original groups', async () => {
    const estate = await openEstate(TEST_ESTATE, { now: () => NOW });
    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));

    expect(result.status).toBe('succeeded');
    const instance = estate.state.instances[INSTANCE]!;
    const isolation = Object.values(estate.state.securityGroups).filter((g) => g.name === ISOLATION_GROUP_NAME && g.vpcId === VPC);
    expect(isolation).toHaveLength(1);
    const group = isolation[0]!;
    expect(instance.networkInterfaces[0]!.groups).toEqual([group.id]);
    expect(group.ingress).toEqual([]);
    expect(group.egress).toEqual([]);
    expect(instance.disableApiTermination).toBe(true);
    expect(instance.tags).toMatchObject({ 'cordon:incident': input.incidentId, 'cordon:quarantined-at': NOW.toISOString(), 'cordon:original-groups': WEB_SG });
    if (result.status !== 'succeeded') return;
    expect(result.before).toMatchObject({ securityGroups: [{ id: WEB_SG, name: 'web' }], disableApiTermination: false, vpcId: VPC });
    expect(result.evidence).toEqual([expect.objectContaining({ kind: 'isolation', id: group.id, of: INSTANCE, takenAt: NOW.toISOString() })]);
    // The web group itself is untouched: other instances may still use it.
    expect(estate.state.securityGroups[WEB_SG]!.ingress).toHaveLength(3);
  });

  it('logs permission-style operation names under the step id', async () => {
    const estate = await openEstate();
    await quarantineInstance.run(input, estate.ctx(input.stepId));
    expect(estate.server.callsFor(input.stepId).map((c) => c.operation)).toEqual([
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceAttribute',
      'ec2:DescribeSecurityGroups',
      'ec2:CreateSecurityGroup',
      'ec2:DescribeSecurityGroups',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:ModifyInstanceAttribute',
      'ec2:ModifyInstanceAttribute',
      'ec2:CreateTags',
    ]);
  });

  it('is idempotent: a second run is skipped already-done and makes no mutating call', async () => {
    const estate = await openEstate();
    await quarantineInstance.run(input, estate.ctx(input.stepId));
    const snapshot = structuredClone(estate.state);
    const callsBefore = estate.server.calls.length;

    const second = await quarantineInstance.run(input, estate.ctx(input.stepId));

    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(estate.state).toEqual(snapshot);
    const secondCalls = estate.server.calls.slice(callsBefore).map((c) => c.operation);
    expect(secondCalls.filter((op) => MUTATING.includes(op))).toEqual([]);
  });

  it('reuses an isolation group left behind by an interrupted run and strips any rules added to it', async () => {
    const estate = await openEstate({
      ...TEST_ESTATE,
      securityGroups: [...(TEST_ESTATE.securityGroups ?? []), { id: 'sg-0badc0ffee0000001', name: ISOLATION_GROUP_NAME, vpc: VPC, ingress: ['tcp:22 10.0.0.0/8'] }],
    });
    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));

    expect(result.status).toBe('succeeded');
    expect(Object.values(estate.state.securityGroups).filter((g) => g.name === ISOLATION_GROUP_NAME)).toHaveLength(1);
    expect(estate.state.instances[INSTANCE]!.networkInterfaces[0]!.groups).toEqual(['sg-0badc0ffee0000001']);
    expect(estate.state.securityGroups['sg-0badc0ffee0000001']).toMatchObject({ ingress: [], egress: [] });
    expect(estate.server.calls.map((c) => c.operation)).not.toContain('ec2:CreateSecurityGroup');
  });

  it('isolates every interface of a multi-interface instance', async () => {
    const estate = await openEstate();
    const instance = estate.state.instances[INSTANCE]!;
    instance.networkInterfaces.push({ id: 'eni-0second000000000', subnetId: instance.subnetId, privateIp: '10.0.0.11', groups: [WEB_SG] });

    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));

    expect(result.status).toBe('succeeded');
    const isolationId = Object.values(estate.state.securityGroups).find((g) => g.name === ISOLATION_GROUP_NAME)!.id;
    expect(instance.networkInterfaces.map((n) => n.groups)).toEqual([[isolationId], [isolationId]]);
    expect(estate.server.calls.filter((c) => c.operation === 'ec2:ModifyNetworkInterfaceAttribute')).toHaveLength(2);
  });

  it('plans the exact calls for a dry run, with placeholders for run-time values', () => {
    const calls = quarantineInstance.plannedCalls(input);
    expect(calls.map((c) => c.operation)).toEqual([
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceAttribute',
      'ec2:DescribeSecurityGroups',
      'ec2:CreateSecurityGroup',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:ModifyInstanceAttribute',
      'ec2:ModifyInstanceAttribute',
      'ec2:CreateTags',
    ]);
    expect(calls[5]!.request).toEqual({ InstanceId: INSTANCE, Groups: ['<isolation-sg>'] });
  });
});
