import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { StateMachineMap, parseStateMachineMap, readEnv } from './env.js';
import { firstIssue, issueLine } from './zod-issue.js';

const Schema = z.object({ CORDON_HOME: z.string().min(1).optional(), CORDON_STATE_MACHINES: StateMachineMap.optional() });
const fail = (variable: string, problem: string) => new Error(`environment ${variable}: ${problem}`);

describe('readEnv', () => {
  it('reads only the variables the schema names', () => {
    expect(readEnv(Schema, { CORDON_HOME: '/h', PATH: '/bin' }, fail)).toEqual({ CORDON_HOME: '/h' });
  });

  it('names the first bad variable through the host-supplied error', () => {
    expect(() => readEnv(Schema, { CORDON_HOME: '' }, fail)).toThrow(/^environment CORDON_HOME: /);
  });

  it('treats an empty value as unset only when asked (a shell user), not on a deployed host', () => {
    expect(readEnv(Schema, { CORDON_HOME: '' }, fail, { emptyIsUnset: true })).toEqual({});
  });

  it('parses the state machine map once, into the map', () => {
    const map = { 'aws-ec2-compromise': 'arn:aws:states:eu-west-1:111122223333:stateMachine:x' };
    expect(readEnv(Schema, { CORDON_STATE_MACHINES: JSON.stringify(map) }, fail).CORDON_STATE_MACHINES).toEqual(map);
    expect(() => readEnv(Schema, { CORDON_STATE_MACHINES: '{"a":"not-an-arn"}' }, fail)).toThrow('environment CORDON_STATE_MACHINES: expected a JSON object of playbook id → state machine ARN');
  });

  it('rejects what is not a map of ARNs', () => {
    for (const text of ['', 'nope', '[]', '"arn:x"', '{"a":1}', '{"a":"x"}']) expect(parseStateMachineMap(text), text).toBeUndefined();
  });
});

describe('first zod issue', () => {
  const Nested = z.object({ detail: z.object({ severity: z.number() }) });
  it('names the dotted field path and the message', () => {
    const error = Nested.safeParse({ detail: { severity: 'high' } }).error!;
    expect(firstIssue(error).field).toBe('detail.severity');
    expect(issueLine(error, '(event)')).toMatch(/^detail\.severity: /);
  });
  it('stands in a word for the value itself', () => {
    expect(issueLine(Nested.safeParse(7).error!, '(event)')).toMatch(/^\(event\): /);
  });
});
