import { afterEach, describe, expect, it } from 'vitest';
import { parseDefenderAlertId } from '../../core/arm-id.js';
import { updateAlert } from './update-alert.js';
import { ALERT_ID, SUB, actionInput, startAzureSim, type AzureSim } from '../../../test/support/actions/azure/harness.js';

const target = { type: 'finding' as const, id: 'finding-1' };
let sim: AzureSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('update-alert against the simulated estate', () => {
  it('moves a resource-group level Defender alert to InProgress', async () => {
    sim = await startAzureSim();
    const input = actionInput('update-alert', target);
    expect(await updateAlert.run(input, sim.ctx(input.stepId))).toMatchObject({ status: 'succeeded', before: { status: 'Active' }, after: { status: 'InProgress' } });
    expect(sim.state.defenderAlerts.get(ALERT_ID.toLowerCase())?.status).toBe('InProgress');
    expect(sim.server.calls.map((c) => c.operation)).toEqual(['Microsoft.Security/locations/alerts/read', 'Microsoft.Security/locations/alerts/inProgress/action']);
  });

  it('handles subscription-level alerts and is idempotent', async () => {
    const subAlert = `/subscriptions/${SUB}/providers/Microsoft.Security/locations/centralus/alerts/2518770965529163669_F144EE95-A3E5-42DA-A279-967D115809AA`;
    sim = await startAzureSim({ seed: { defenderAlerts: [{ id: subAlert }] } });
    const input = actionInput('update-alert', target, { finding: { id: 'f', source: 'defender', alertResourceId: subAlert } });
    expect((await updateAlert.run(input, sim.ctx('first'))).status).toBe('succeeded');
    expect(await updateAlert.run(input, sim.ctx('second'))).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(sim.server.callsFor('second').map((c) => c.operation)).toEqual(['Microsoft.Security/locations/alerts/read']);
  });

  it('leaves a Resolved alert alone', async () => {
    sim = await startAzureSim({ seed: { defenderAlerts: [{ id: ALERT_ID, status: 'Resolved' }] } });
    const input = actionInput('update-alert', target);
    expect(await updateAlert.run(input, sim.ctx(input.stepId))).toMatchObject({ status: 'skipped', reason: 'alert-closed' });
    expect(sim.state.defenderAlerts.get(ALERT_ID.toLowerCase())?.status).toBe('Resolved');
  });

  it('is skipped with a reason, calling nothing, when the finding names no alert', async () => {
    sim = await startAzureSim();
    const input = actionInput('update-alert', target, { finding: { id: 'f', source: 'defender' } });
    expect(await updateAlert.run(input, sim.ctx(input.stepId))).toMatchObject({ status: 'skipped', reason: 'no-alert-resource-id' });
    expect(updateAlert.plannedCalls(input)).toEqual([]);
    expect(sim.server.calls).toHaveLength(0);
  });

  it('parses only Defender alert ids', () => {
    expect(parseDefenderAlertId(ALERT_ID)).toMatchObject({ location: 'westeurope', resourceGroup: 'rg-prod', alertName: '2518298467986649999_a1b2c3d4' });
    expect(parseDefenderAlertId('da637551262226037500_1ebb4ab7-3e94-4d8e-b4ef-0b1d8b1c3f5a')).toBeUndefined();
  });
});
