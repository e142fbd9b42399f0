import { describe, expect, it } from 'vitest';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { INSTANCE, INSTANCE_ARN, TEST_ESTATE, VPC, WEB_SG, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { ISOLATION_GROUP_NAME, UNTRACK_GROUP_NAME, quarantineInstance } from './quarantine-instance.js';

const NOW = new Date('2024-06-01T12:00:00.000Z');
const openEstate = useEstates();

const input = actionInput('quarantine-instance', { type: 'AwsEc2Instance', id: INSTANCE_ARN });
const MUTATING = ['ec2:CreateSecurityGroup', 'ec2:RevokeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:ModifyInstanceAttribute', 'ec2:ModifyNetworkInterfaceAttribute', 'ec2:CreateTags'];
const groupNamed = (estate: { state: { securityGroups: Record<string, { id: string; name: string }> } }, name: string) => Object.values(estate.state.securityGroups).find((g) => g.name === name);

describe('quarantine-instance against the simulated estate', () => {
  it('moves the interface through an allow-all group (IPv4 and IPv6) into a rule-less isolation group and keeps the evidence alive', async () => {
    const estate = await openEstate({ ...TEST_ESTATE, instances: [{ ...TEST_ESTATE.instances![0]!, shutdownBehavior: 'terminate' }] }, { now: () => NOW });
    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));

    expect(result.status).toBe('succeeded');
    const instance = estate.state.instances[INSTANCE]!;
    const isolation = Object.values(estate.state.securityGroups).filter((g) => g.name === ISOLATION_GROUP_NAME && g.vpcId === VPC);
    expect(isolation).toHaveLength(1);
    const group = isolation[0]!;
    expect(instance.networkInterfaces[0]!.groups).toEqual([group.id]);
    expect(group).toMatchObject({ ingress: [], egress: [] });
    const untrack = groupNamed(estate, UNTRACK_GROUP_NAME) as (typeof estate.state.securityGroups)[string];
    for (const direction of ['ingress', 'egress'] as const) {
      expect(untrack[direction]).toEqual(expect.arrayContaining([{ protocol: '-1', cidrIpv4: '0.0.0.0/0' }, { protocol: '-1', cidrIpv6: '::/0' }]));
    }
    // The interface went to the untrack group first, then to isolation.
    const swaps = estate.server.callsFor(input.stepId).filter((c) => c.operation === 'ec2:ModifyNetworkInterfaceAttribute');
    expect(swaps).toHaveLength(3);
    expect(instance.networkInterfaces[0]!.connectionTracking).toEqual({ tcpEstablishedTimeout: 60, udpStreamTimeout: 60, udpTimeout: 30 });
    expect(instance.disableApiTermination).toBe(true);
    expect(instance.shutdownBehavior).toBe('stop');
    expect(instance.volumes.map((v) => v.deleteOnTermination)).toEqual([false, false]);
    expect(instance.tags).toMatchObject({ 'cordon:incident': input.incidentId, 'cordon:quarantined-at': NOW.toISOString(), 'cordon:original-groups': WEB_SG });
    if (result.status !== 'succeeded') return;
    expect(result.before).toMatchObject({
      securityGroups: [{ id: WEB_SG, name: 'web' }],
      disableApiTermination: false,
      instanceInitiatedShutdownBehavior: 'terminate',
      volumes: [expect.objectContaining({ device: '/dev/xvda', deleteOnTermination: true }), expect.objectContaining({ deleteOnTermination: true })],
      spot: false,
      vpcId: VPC,
    });
    expect(result.evidence).toEqual([expect.objectContaining({ kind: 'isolation', id: group.id, of: INSTANCE, takenAt: NOW.toISOString() })]);
    expect(result.summary).toMatch(/through the allow-all group .*network ACL/);
    // The web group itself is untouched: other instances may still use it.
    expect(estate.state.securityGroups[WEB_SG]!.ingress).toHaveLength(3);
  });

  it('a Spot instance is isolated without termination protection, and the result says so', async () => {
    const estate = await openEstate({ ...TEST_ESTATE, instances: [{ ...TEST_ESTATE.instances![0]!, market: 'spot' }] });
    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));
    expect(result.status).toBe('succeeded');
    const instance = estate.state.instances[INSTANCE]!;
    expect(instance.networkInterfaces[0]!.groups).toEqual([groupNamed(estate, ISOLATION_GROUP_NAME)?.id]);
    expect(instance.disableApiTermination).toBe(false);
    if (result.status === 'succeeded') expect(result.summary).toMatch(/Spot: no termination protection/);
    // Twin: EC2 refuses termination protection for Spot, so asking for it would have failed the step.
    expect(estate.server.calls.filter((c) => c.operation === 'ec2:ModifyInstanceAttribute' && c.status >= 400)).toEqual([]);
    const again = await quarantineInstance.run(input, estate.ctx(input.stepId));
    expect(again).toMatchObject({ status: 'skipped', reason: 'already-done' });
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
  });

  it('isolates every interface of a multi-interface instance, each through the allow-all group', async () => {
    const estate = await openEstate();
    const instance = estate.state.instances[INSTANCE]!;
    instance.networkInterfaces.push({ id: 'eni-0second000000000', subnetId: instance.subnetId, privateIp: '10.0.0.11', groups: [WEB_SG] });

    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));

    expect(result.status).toBe('succeeded');
    const isolationId = groupNamed(estate, ISOLATION_GROUP_NAME)!.id;
    expect(instance.networkInterfaces.map((n) => n.groups)).toEqual([[isolationId], [isolationId]]);
    // Two swaps and one tracking change per interface.
    expect(estate.server.calls.filter((c) => c.operation === 'ec2:ModifyNetworkInterfaceAttribute')).toHaveLength(6);
  });

  it('when the second swap fails after the SDK retry, the instance-level API isolates a one-interface host', async () => {
    const estate = await openEstate(undefined, { faults: [{ operation: 'ec2:ModifyNetworkInterfaceAttribute', kind: 'error', from: 2, times: 2 }] });
    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));
    expect(result.status).toBe('succeeded');
    expect(estate.state.instances[INSTANCE]!.networkInterfaces[0]!.groups).toEqual([groupNamed(estate, ISOLATION_GROUP_NAME)!.id]);
    if (result.status === 'succeeded') expect(result.summary).toMatch(/via ModifyInstanceAttribute/);
  });

  it('when neither API can make the second swap, the original groups go back and the step fails saying so', async () => {
    const estate = await openEstate(undefined, {
      faults: [
        { operation: 'ec2:ModifyNetworkInterfaceAttribute', kind: 'error', from: 2, times: 2 },
        { operation: 'ec2:ModifyInstanceAttribute', kind: 'error', times: 2 },
      ],
    });
    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'failed', errorClass: 'Transient' });
    if (result.status === 'failed') expect(result.message).toMatch(/original groups sg-0123456789abcdef0 are back: NOT isolated/);
    // Never left in the allow-all group.
    expect(estate.state.instances[INSTANCE]!.networkInterfaces[0]!.groups).toEqual([WEB_SG]);
  });

  it('a permanent failure after the swaps keeps the isolation and fails the step naming what is missing', async () => {
    const estate = await openEstate(undefined, { faults: [{ operation: 'ec2:ModifyNetworkInterfaceAttribute', kind: 'error', from: 2 }] });
    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'failed', errorClass: 'Transient' });
    if (result.status === 'failed') expect(result.message).toMatch(/isolated in .* via ModifyInstanceAttribute.*could not lower the connection-tracking timeouts/);
    expect(estate.state.instances[INSTANCE]!.networkInterfaces[0]!.groups).toEqual([groupNamed(estate, ISOLATION_GROUP_NAME)!.id]);
  });

  it('release puts groups, timeouts, termination protection, shutdown behaviour and DeleteOnTermination back from the before-state', async () => {
    const estate = await openEstate({ ...TEST_ESTATE, instances: [{ ...TEST_ESTATE.instances![0]!, shutdownBehavior: 'terminate' }] });
    const result = await quarantineInstance.run(input, estate.ctx(input.stepId));
    if (result.status !== 'succeeded') throw new Error(result.status);
    const released = await quarantineInstance.release!({ ...input, before: result.before, after: result.after }, estate.ctx(input.stepId));
    expect(released.status).toBe('succeeded');
    const instance = estate.state.instances[INSTANCE]!;
    expect(instance.networkInterfaces[0]).toMatchObject({ groups: [WEB_SG], connectionTracking: { tcpEstablishedTimeout: 432_000, udpStreamTimeout: 180, udpTimeout: 30 } });
    expect(instance).toMatchObject({ disableApiTermination: false, shutdownBehavior: 'terminate' });
    expect(instance.volumes.map((v) => v.deleteOnTermination)).toEqual([true, true]);
    const again = await quarantineInstance.release!({ ...input, before: result.before, after: result.after }, estate.ctx(input.stepId));
    expect(again).toMatchObject({ status: 'skipped', reason: 'already-done' });
  });

  it('plans the exact calls for a dry run, with placeholders for run-time values', () => {
    const calls = quarantineInstance.plannedCalls(input);
    expect(calls.filter((c) => c.operation === 'ec2:ModifyNetworkInterfaceAttribute').map((c) => c.request['Groups'] ?? 'tracking')).toEqual([['<untrack-sg>'], ['<isolation-sg>'], 'tracking']);
    expect(calls.at(-1)!.operation).toBe('ec2:CreateTags');
  });
});
