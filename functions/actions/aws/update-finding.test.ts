import { describe, expect, it } from 'vitest';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { SH_FINDING_ID, SH_PRODUCT_ARN, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { updateFinding } from './update-finding.js';

const openEstate = useEstates();
const input = actionInput('update-finding', { type: 'finding', id: SH_FINDING_ID }, { finding: { id: SH_FINDING_ID, source: 'securityhub', productArn: SH_PRODUCT_ARN } });

describe('update-finding against the simulated estate', () => {
  it('sets the workflow status NOTIFIED with a note naming the incident, updated by cordon', async () => {
    const estate = await openEstate();
    const result = await updateFinding.run(input, estate.ctx(input.stepId));

    expect(result).toMatchObject({ status: 'succeeded', before: { workflowStatus: 'NEW' } });
    const finding = estate.state.findings[SH_FINDING_ID]!;
    expect(finding.workflowStatus).toBe('NOTIFIED');
    expect(finding.note).toMatchObject({ updatedBy: 'cordon', text: expect.stringContaining(input.incidentId) });
    expect(estate.server.callsFor(input.stepId).map((c) => c.operation)).toEqual(['securityhub:GetFindings', 'securityhub:BatchUpdateFindings']);
  });

  it('is idempotent', async () => {
    const estate = await openEstate();
    await updateFinding.run(input, estate.ctx(input.stepId));
    const snapshot = structuredClone(estate.state);
    const second = await updateFinding.run(input, estate.ctx(input.stepId));
    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(estate.state).toEqual(snapshot);
  });

  it('skips a finding that is not from Security Hub, without calling it', async () => {
    const estate = await openEstate();
    const guardDuty = actionInput('update-finding', { type: 'finding', id: 'gd-1' }, { finding: { id: 'gd-1', source: 'guardduty' } });
    const result = await updateFinding.run(guardDuty, estate.ctx(guardDuty.stepId));
    expect(result).toMatchObject({ status: 'skipped', reason: 'unsupported-target' });
    expect(updateFinding.plannedCalls(guardDuty)).toEqual([]);
    expect(estate.server.calls).toEqual([]);
  });
});
