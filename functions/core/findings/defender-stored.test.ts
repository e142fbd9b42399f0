import { describe, expect, it } from 'vitest';
import { storedAlertDisagreement } from './defender-stored.js';

const VM = (name: string) => `/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/${name}`;
const body = (vm: string, type = 'VM_EICAR') => ({ type, alertResourceId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Security/locations/westeurope/alerts/a1', resources: [{ type: 'Microsoft.Compute/virtualMachines', id: VM(vm), tags: {} }] });
const stored = (entity: string, alertType = 'VM_EICAR') => ({ properties: { alertType, compromisedEntity: entity, status: 'Active' } });

describe('storedAlertDisagreement: the body must agree with the alert Defender stored', () => {
  it('agrees when the type and the compromised resource match (names compared case-insensitively)', () => {
    expect(storedAlertDisagreement(body('vm1'), stored('VM1'))).toBeUndefined();
  });

  it('a body that retargets the alert at another VM is refused, naming both', () => {
    expect(storedAlertDisagreement(body('payroll-db'), stored('vm1'))).toMatch(/payroll-db.*compromised entity is vm1/);
  });

  it('a body with another alert type is refused', () => {
    expect(storedAlertDisagreement(body('vm1', 'VM_Ransomware'), stored('vm1'))).toMatch(/alert type VM_Ransomware differs.*VM_EICAR/);
  });

  it('no stored alert is a disagreement', () => {
    expect(storedAlertDisagreement(body('vm1'), undefined)).toMatch(/has no alert/);
  });
});
