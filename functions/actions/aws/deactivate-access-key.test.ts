import { describe, expect, it } from 'vitest';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { ACCESS_KEY, USER, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { deactivateAccessKey } from './deactivate-access-key.js';

const openEstate = useEstates();
const input = actionInput('deactivate-access-key', { type: 'AwsIamAccessKey', id: ACCESS_KEY });

describe('deactivate-access-key against the simulated estate', () => {
  it('resolves the owner from the key and sets the key Inactive, recording Active before', async () => {
    const estate = await openEstate();
    const result = await deactivateAccessKey.run(input, estate.ctx(input.stepId));

    expect(result).toMatchObject({ status: 'succeeded', before: { userName: USER, status: 'Active', lastUsedService: 's3' }, after: { status: 'Inactive' } });
    expect(estate.state.users[USER]!.accessKeys[0]!.status).toBe('Inactive');
    expect(estate.server.callsFor(input.stepId).map((c) => c.operation)).toEqual(['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:UpdateAccessKey']);
  });

  it('is idempotent: an Inactive key is already-done', async () => {
    const estate = await openEstate();
    await deactivateAccessKey.run(input, estate.ctx(input.stepId));
    const callsBefore = estate.server.calls.length;
    const second = await deactivateAccessKey.run(input, estate.ctx(input.stepId));
    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(estate.server.calls.slice(callsBefore).map((c) => c.operation)).not.toContain('iam:UpdateAccessKey');
  });
});
