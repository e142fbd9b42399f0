import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS, STEP_HEADER, USER_AGENT, createAwsClients } from './clients.js';
import { classifyAwsError } from './errors.js';
import { STEP_HEADER as SIM_STEP_HEADER } from '../../sim/server.js';

describe('createAwsClients', () => {
  it('sends the step header and the cordon user agent, signed for the right service', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const clients = createAwsClients({ region: 'eu-west-1', endpoint, credentials: SIM_CREDENTIALS, stepId: 'quarantine-instance:i-1' });
      expect((await clients.sts.send(new GetCallerIdentityCommand({}))).Account).toBe('111122223333');
      expect(seen[0]?.[STEP_HEADER]).toBe('quarantine-instance:i-1');
      expect(String(seen[0]?.['user-agent']) + String(seen[0]?.['x-amz-user-agent'])).toContain(USER_AGENT);
      expect(seen[0]?.authorization).toMatch(/Credential=AKIACORDONSIMULATED\/\d{8}\/eu-west-1\/sts\/aws4_request/);
      expect(clients.sts).toBe(clients.sts);
    } finally {
      server.close();
    }
  });

  it('uses the same step header name as the simulated estate', () => {
    expect(STEP_HEADER).toBe(SIM_STEP_HEADER);
  });
});

describe('classifyAwsError', () => {
  const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

  it.each([
    ['ThrottlingException', 400, 'Throttled'],
    ['RequestLimitExceeded', 503, 'Throttled'],
    ['SlowDown', 503, 'Throttled'],
    ['TooManyRequestsException', 429, 'Throttled'],
    ['InternalError', 500, 'Transient'],
    ['ServiceUnavailable', 503, 'Transient'],
    ['InvalidInstanceID.NotFound', 400, 'NotFound'],
    ['InvalidInstanceID.Malformed', 400, 'NotFound'],
    ['NoSuchBucket', 404, 'NotFound'],
    ['AccessDenied', 403, 'AccessDenied'],
    ['UnauthorizedOperation', 403, 'AccessDenied'],
    ['InvalidGroup.Duplicate', 400, 'Conflict'],
    ['MalformedPolicyDocument', 400, 'InvalidTarget'],
    ['SomethingNew', 502, 'Transient'],
  ] as const)('%s (HTTP %i) → %s, naming the code', (name, status, errorClass) => {
    const classified = classifyAwsError(sdkError(name, status));
    expect(classified.errorClass).toBe(errorClass);
    expect(classified.message).toContain(name);
  });

  it('prefers the wire code an SDK exception carries in Code (NoSuchEntityException → NoSuchEntity)', () => {
    expect(classifyAwsError(sdkError('NoSuchEntityException', 404, { Code: 'NoSuchEntity' }))).toMatchObject({ errorClass: 'NotFound', code: 'NoSuchEntity' });
  });

  it('maps socket timeouts and resets', () => {
    expect(classifyAwsError(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })).errorClass).toBe('Timeout');
    expect(classifyAwsError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })).errorClass).toBe('Transient');
    expect(classifyAwsError('weird').errorClass).toBe('Unknown');
  });
});
