import { describe, expect, it } from 'vitest';
import { parseArmId } from './arm.js';

describe('parseArmId', () => {
  it('splits a resource id into subscription, group, type, name', () => {
    expect(parseArmId('/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1')).toEqual({
      id: '/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1',
      subscriptionId: 's1',
      resourceGroup: 'rg1',
      type: 'Microsoft.Compute/virtualMachines',
      name: 'vm1',
      location: undefined,
    });
  });

  it('reads the location of a Defender alert id and keeps nested types', () => {
    expect(
      parseArmId('/subscriptions/s1/providers/Microsoft.Security/locations/westeurope/alerts/123'),
    ).toMatchObject({ subscriptionId: 's1', type: 'Microsoft.Security/locations/alerts', name: '123', location: 'westeurope' });
  });

  it('canonicalizes the case of fixed segments and known types, not of names', () => {
    expect(parseArmId('/SUBSCRIPTIONS/S1/RESOURCEGROUPS/Rg/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/Vm-A')?.id).toBe(
      '/subscriptions/S1/resourceGroups/Rg/providers/Microsoft.Compute/virtualMachines/Vm-A',
    );
  });

  it('returns undefined for what is not an ARM id', () => {
    expect(parseArmId('arn:aws:s3:::bucket')).toBeUndefined();
    expect(parseArmId('')).toBeUndefined();
    expect(parseArmId('/subscriptions')).toBeUndefined();
  });
});
