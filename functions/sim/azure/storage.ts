/**
 * Microsoft.Storage over the estate: storage accounts (read, PATCH `allowBlobPublicAccess`,
 * `allowSharedKeyAccess` and tags), their keys (`listKeys`, `regenerateKey`: a new value and
 * creation time; every SAS the old key signed dies with it).
 */
import type { SimRequest, SimResponse } from '../server.js';
import { storageKeyValue, type AzureEstateState, type SimStorageAccount } from './state.js';
import { armError, json, key, notFound, obj, parseBody, str, tagsOf, tracked, type ArmProvider } from './arm-wire.js';

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
        ...(sa.allowSharedKeyAccess === undefined ? {} : { allowSharedKeyAccess: sa.allowSharedKeyAccess }),
        keyCreationTime: Object.fromEntries(sa.keys.map((k) => [k.keyName, k.creationTime])),
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
    const sharedKey = obj(body.properties).allowSharedKeyAccess;
    if (typeof sharedKey === 'boolean') sa.allowSharedKeyAccess = sharedKey;
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
        const keyList = () => json(200, { keys: sa.keys.map((k) => ({ keyName: k.keyName, value: k.value, permissions: 'FULL', creationTime: k.creationTime })) });
        if (req.method === 'POST' && trailing?.toLowerCase() === 'listkeys') return keyList();
        if (req.method === 'POST' && trailing?.toLowerCase() === 'regeneratekey') {
          const keyName = str(parseBody(req)?.keyName);
          const k = sa.keys.find((x) => x.keyName === keyName?.toLowerCase());
          if (!k) return armError(400, 'InvalidValuesForRequestParameters', `Values for request parameters are invalid: keyName.`);
          k.creationTime = state.now().toISOString();
          // Chained from the old value: every regeneration makes a new key, deterministically.
          k.value = storageKeyValue(sa.id, k.keyName, k.value);
          return keyList();
        }
        return undefined;
      },
    },
  };
}
