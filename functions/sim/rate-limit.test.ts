import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS, createAwsClients } from '../adapters/aws/clients.js';
import { CallScheduler } from '../adapters/aws/call-scheduler.js';
import { classifyAwsError } from '../adapters/aws/errors.js';
import { startSimulatedEstate, type SimulatedEstate } from './estate.js';

const opened: SimulatedEstate[] = [];
afterEach(async () => {
  for (const e of opened.splice(0)) await e.close();
});

/** Two unfiltered DescribeSecurityGroups per bucket, and refills too slow to matter within a test. */
const TINY = { buckets: { 'ec2:DescribeSecurityGroups#unfiltered': { bucket: 2, refill: 0.001 } } };

async function estateWith(rateLimits?: typeof TINY): Promise<SimulatedEstate> {
  const estate = await startSimulatedEstate({ file: { aws: { region: 'eu-west-1' } }, ...(rateLimits ? { rateLimits } : {}) });
  opened.push(estate);
  return estate;
}

const client = (estate: SimulatedEstate, scheduler?: CallScheduler) =>
  createAwsClients({ region: 'eu-west-1', endpoint: estate.url, credentials: SIM_CREDENTIALS, maxAttempts: 1, ...(scheduler ? { scheduler: { scheduler, scope: '123456789012/eu-west-1' } } : {}) }).ec2;

describe('API rate limits of the simulated estate', () => {
  it("answers past an empty bucket with EC2's RequestLimitExceeded, which the SDK and Cordon read as throttling", async () => {
    const estate = await estateWith(TINY);
    const ec2 = client(estate);
    await ec2.send(new DescribeSecurityGroupsCommand({}));
    await ec2.send(new DescribeSecurityGroupsCommand({}));
    const error = await ec2.send(new DescribeSecurityGroupsCommand({})).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
    expect(classifyAwsError(error).errorClass).toBe('Throttled');
    expect(estate.server.calls.map((c) => c.rateLimited ?? false)).toEqual([false, false, true]);
    // Each API (and its unfiltered variant) has its own bucket: a filtered call still goes.
    await expect(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-1'] })).catch((e: { name: string }) => e.name)).resolves.not.toBe('RequestLimitExceeded');
  });

  it('is off unless the estate asks for it (exercises keep their behaviour)', async () => {
    const estate = await estateWith();
    const ec2 = client(estate);
    for (let i = 0; i < 3; i++) await ec2.send(new DescribeSecurityGroupsCommand({}));
    expect(estate.rateLimiter).toBeUndefined();
    expect(estate.server.calls.filter((c) => c.rateLimited)).toHaveLength(0);
  });

  it("the engine's scheduler keeps a client within the estate's buckets: the calls wait instead of being refused", async () => {
    const estate = await estateWith({ buckets: { 'ec2:DescribeSecurityGroups#unfiltered': { bucket: 2, refill: 1000 } } });
    const limiter = estate.rateLimiter;
    if (!limiter) throw new Error('no limiter');
    const scheduler = new CallScheduler((key) => limiter.specOf(key));
    const ec2 = client(estate, scheduler);
    await Promise.all(Array.from({ length: 6 }, () => ec2.send(new DescribeSecurityGroupsCommand({}))));
    expect(estate.server.calls).toHaveLength(6);
    expect(estate.server.calls.filter((c) => c.rateLimited)).toHaveLength(0);
    expect(scheduler.stats.dispatched['123456789012/eu-west-1/ec2:DescribeSecurityGroups#unfiltered']).toEqual({ notify: 6 });
  });
});
