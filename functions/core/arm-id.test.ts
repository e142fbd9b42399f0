import { describe, expect, it } from 'vitest';
import { armName, armType, parseArmId, parseResourceId, resourceId, sameArmId } from './arm-id.js';

describe('ARM ids', () => {
  it('splits a resource id into subscription, group, type, name', () => {
    expect(parseArmId('/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1')).toEqual({
      id: '/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1',
      canonicalId: '/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1',
      subscriptionId: 's1',
      resourceGroup: 'rg1',
      namespace: 'Microsoft.Compute',
      types: ['virtualMachines'],
      names: ['vm1'],
      type: 'Microsoft.Compute/virtualMachines',
      name: 'vm1',
    });
  });

  it('reads the location of a Defender alert id and keeps nested types', () => {
    const alert = parseArmId('/subscriptions/s1/providers/Microsoft.Security/locations/westeurope/alerts/123');
    expect(alert).toMatchObject({ subscriptionId: 's1', type: 'Microsoft.Security/locations/alerts', name: '123', location: 'westeurope', types: ['locations', 'alerts'], names: ['westeurope', '123'] });
    expect(alert?.resourceGroup).toBeUndefined();
  });

  it('canonicalizes the case of fixed segments and known types, not of names; keeps the id as given', () => {
    const shouted = parseArmId('/SUBSCRIPTIONS/S1/RESOURCEGROUPS/Rg/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/Vm-A');
    expect(shouted?.canonicalId).toBe('/subscriptions/S1/resourceGroups/Rg/providers/Microsoft.Compute/virtualMachines/Vm-A');
    expect(shouted?.id).toBe('/SUBSCRIPTIONS/S1/RESOURCEGROUPS/Rg/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/Vm-A');
    expect(shouted?.type).toBe('Microsoft.Compute/virtualMachines');
    expect(shouted && armType(shouted)).toBe('MICROSOFT.COMPUTE/VIRTUALMACHINES');
    expect(parseArmId('/subscriptions/s/providers/Contoso.Thing/widgets/w1')?.canonicalId).toBe('/subscriptions/s/providers/Contoso.Thing/widgets/w1');
  });

  it('returns undefined for what is not a resource id', () => {
    expect(parseArmId('arn:aws:s3:::bucket')).toBeUndefined();
    expect(parseArmId('')).toBeUndefined();
    expect(parseArmId('/subscriptions')).toBeUndefined();
    expect(parseArmId('/subscriptions/s1')).toBeUndefined();
    expect(parseArmId('/subscriptions/s1/resourceGroups/rg1')).toBeUndefined();
    expect(parseArmId('/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines')).toBeUndefined();
    expect(parseArmId('vm1')).toBeUndefined();
  });

  it('formats, names and compares ids', () => {
    const id = resourceId('s', 'rg', 'Microsoft.Compute/virtualMachines', 'vm1');
    expect(id).toBe('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1');
    const parsed = parseResourceId(id, 'microsoft.compute/VIRTUALMACHINES');
    expect(parsed && armName(parsed)).toBe('vm1');
    expect(parseResourceId(id, 'Microsoft.Storage/storageAccounts')).toBeUndefined();
    expect(sameArmId(id, id.toUpperCase())).toBe(true);
    expect(sameArmId(id, undefined)).toBe(false);
  });
});
