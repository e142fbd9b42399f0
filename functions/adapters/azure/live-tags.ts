import { armName, parseResourceId } from '../../core/arm-id.js';
import type { LiveTags } from '../../core/trust/live-check.js';
import type { StepInput } from '../../../workflows/input.js';
import type { AzureClients } from './clients.js';

const VM = 'Microsoft.Compute/virtualMachines';
const STORAGE = 'Microsoft.Storage/storageAccounts';

/**
 * Reads a step target's ARM tags as they are now, with the step's clients (the runner's identity in
 * the target subscription). Entra users carry no tags: the protected-users list guards them at plan
 * time (core/trust/trust.ts). Throws when ARM does not answer; the engine treats that as unreadable.
 */
export async function readAzureLiveTags(clients: AzureClients, input: Pick<StepInput, 'target'>): Promise<LiveTags> {
  try {
    return await readTags(clients, input);
  } catch (e) {
    // ARM has no such resource: nothing to protect; the action says NotFound itself.
    if ((e as { statusCode?: number }).statusCode === 404) return { kind: 'missing', why: `${(e as { code?: string }).code ?? 'NotFound'}: ${(e as Error).message}` };
    throw e;
  }
}

async function readTags(clients: AzureClients, input: Pick<StepInput, 'target'>): Promise<LiveTags> {
  const { type, id } = input.target;
  if (type === 'Microsoft.Graph/users') return { kind: 'untagged', why: 'Entra users carry no tags (CORDON_PROTECTED_USERS guards them)' };
  const arm = parseResourceId(id, type);
  if (!arm) return { kind: 'unreadable', problem: `'${id}' is not a ${type} ARM id` };
  if (type.toLowerCase() === VM.toLowerCase()) {
    const vm = await clients.compute.virtualMachines.get(arm.resourceGroup, armName(arm));
    return { kind: 'tags', tags: { ...vm.tags }, via: 'Microsoft.Compute/virtualMachines/read' };
  }
  if (type.toLowerCase() === STORAGE.toLowerCase()) {
    const account = await clients.storage.storageAccounts.getProperties(arm.resourceGroup, armName(arm));
    return { kind: 'tags', tags: { ...account.tags }, via: 'Microsoft.Storage/storageAccounts/read' };
  }
  return { kind: 'unreadable', problem: `Cordon reads no live tags for a ${type}` };
}
