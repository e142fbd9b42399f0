import { describe, expect, it } from 'vitest';
import { HandlerConfigError, handlerPreservation, readHandlerEnv } from './env.js';

const BASE = { CORDON_CASE_TABLE: 'cordon-cases' };
const KEY = 'arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('the Lambdas\' preservation settings (snapshot lock, forensic copy)', () => {
  it('default to a 30-day governance lock and no copy', () => {
    expect(handlerPreservation(readHandlerEnv(BASE))).toEqual({ lock: { mode: 'governance', days: 30 } });
  });

  it('read the lock and the forensic account from the environment, as the CLI does', () => {
    const env = readHandlerEnv({ ...BASE, CORDON_SNAPSHOT_LOCK_MODE: 'compliance', CORDON_SNAPSHOT_LOCK_DAYS: '90', CORDON_SNAPSHOT_LOCK_COOL_OFF_HOURS: '24', CORDON_FORENSIC_ACCOUNT: '999988887777', CORDON_FORENSIC_KMS_KEY: KEY });
    expect(handlerPreservation(env)).toEqual({ lock: { mode: 'compliance', days: 90, coolOffHours: 24 }, forensic: { account: '999988887777', kmsKeyId: KEY } });
  });

  it('refuse what cannot work, naming the variable', () => {
    expect(() => readHandlerEnv({ ...BASE, CORDON_FORENSIC_KMS_KEY: 'alias/aws/ebs' })).toThrow(/CORDON_FORENSIC_KMS_KEY/);
    expect(() => handlerPreservation(readHandlerEnv({ ...BASE, CORDON_FORENSIC_ACCOUNT: '999988887777' }))).toThrow(HandlerConfigError);
    expect(() => handlerPreservation(readHandlerEnv({ ...BASE, CORDON_SNAPSHOT_LOCK_COOL_OFF_HOURS: '24' }))).toThrow(/CORDON_SNAPSHOT_LOCK_COOL_OFF_HOURS/);
  });
});
