/** Microsoft.Storage over the estate: storage accounts (read, PATCH `allowBlobPublicAccess` and tags). */
import type { SimRequest, SimResponse } from '../server.js';
import type { AzureEstateState, SimStorageAccount } from './state.js';
import { armError, json, key, notFound, obj, parseBody, tagsOf, tracked, type ArmProvider } from './arm-wire.js';

export function storageProvider(state: AzureEstateState): ArmProvider {
  const storageView = (sa: SimStorageAccount) => {
    const name = sa.id.split('/').pop() as string;
    return {
      ...tracked(sa, 'Microsoft.Storage/storageAccounts'),
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS', tier: 'Standard' },
      properties: {
        provisioningState: 'Succeeded',
        ...(sa.allowBlobPublicAccess === undefined ? {} : { allowBlobPublicAccess: sa.allowBlobPublicAccess }),
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/` },
      },
    };
  };

  const patchStorage = (req: SimRequest, sa: SimStorageAccount): SimResponse => {
    const body = parseBody(req);
    if (!body) return armError(400, 'InvalidRequestFormat', 'Cannot parse the request.');
    const value = obj(body.properties).allowBlobPublicAccess;
    if (typeof value === 'boolean') sa.allowBlobPublicAccess = value;
    if (body.tags !== undefined) sa.tags = tagsOf(body.tags);
    return json(200, storageView(sa));
  };

  return {
    resources: {
      'microsoft.storage/storageaccounts': (req, { id, trailing }) => {
        const sa = state.storageAccounts.get(key(id.id));
        if (!sa) return notFound(id.id, 'Microsoft.Storage/storageAccounts');
        if (req.method === 'GET' && !trailing) return json(200, storageView(sa));
        if (req.method === 'PATCH') return patchStorage(req, sa);
        return undefined;
      },
    },
  };
}
