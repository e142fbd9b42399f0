/**
 * Azure Resource Manager over the simulated estate: JSON over `/subscriptions/...?api-version=…`,
 * with operations named as RBAC actions (`Microsoft.Network/networkInterfaces/write`).
 * This file is the service shell (api-version, bearer token, fault answers) and the dispatch by
 * resource type; each resource provider lives in its own module (compute, network, storage,
 * security), over the wire helpers of `arm-wire.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse, SimService } from '../server.js';
import { armName } from '../../core/arm-id.js';
import type { AzureEstateState } from './state.js';
import { armError, operationStatus, routeArm, type ArmHandler, type ArmProvider, type ArmRoute } from './arm-wire.js';
import { computeProvider } from './compute.js';
import { LOCK_TYPE, deleteRefusal, handleLocks } from './locks.js';
import { networkProvider } from './network.js';
import { securityProvider } from './security.js';
import { storageProvider } from './storage.js';

export { routeArm } from './arm-wire.js';

export function createArmService(state: AzureEstateState): SimService {
  const providers: ArmProvider[] = [computeProvider(state), networkProvider(state), storageProvider(state), securityProvider(state)];
  const resources = new Map<string, ArmHandler>(providers.flatMap((p) => Object.entries(p.resources)));
  const lists = new Map<string, ArmHandler>(providers.flatMap((p) => Object.entries(p.lists ?? {})));

  const handle = (req: SimRequest, route: ArmRoute): SimResponse => {
    const { id, trailing } = route;
    if (route.extension) {
      if (`${route.extension.namespace}/${route.extension.type}`.toLowerCase() === LOCK_TYPE.toLowerCase()) return handleLocks(state, req, id.id, route.extension.name);
      return armError(400, 'InvalidResourceType', `The resource type '${route.extension.type}' could not be found in the namespace '${route.extension.namespace}'.`);
    }
    // ARM refuses a delete under a management lock, whatever the resource (locks.ts).
    if (req.method === 'DELETE') {
      const refused = deleteRefusal(state, id.id);
      if (refused) return refused;
    }
    const type = [id.namespace, ...id.types].join('/').toLowerCase();
    if (type.endsWith('/locations/operations') && req.method === 'GET') return operationStatus(state, req, armName(id));
    if (id.types.length === 0 && trailing) {
      const list = lists.get(`${id.namespace}/${trailing}`.toLowerCase());
      if (list) return list(req, route) ?? armError(405, 'MethodNotAllowed', `The simulated estate does not serve ${req.method} ${req.path}.`);
      return armError(400, 'InvalidResourceType', `The resource type '${trailing}' could not be found in the namespace '${id.namespace}'.`);
    }
    return resources.get(type)?.(req, route) ?? armError(405, 'MethodNotAllowed', `The simulated estate does not serve ${req.method} ${req.path}.`);
  };

  return {
    name: 'azure-arm',
    identify: (req) => routeArm(req.method, req.path)?.operation,
    handle: (req) => {
      const route = routeArm(req.method, req.path);
      if (!route) return armError(400, 'InvalidRequestUri', `Invalid request URI ${req.path}`);
      if (!req.query.get('api-version')) {
        return armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
      }
      if (!/^Bearer \S+/.test(String(req.headers.authorization ?? ''))) {
        return armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
      }
      return handle(req, route);
    },
    throttled: (req, operation) => {
      const kind = req.method === 'GET' ? 'reads' : 'writes';
      return armError(429, 'TooManyRequests', `Number of '${kind === 'reads' ? 'read' : 'write'}' requests for subscription exceeded the limit (simulated throttling of ${operation}). Please try again after '0' seconds.`, {
        'retry-after': '0',
        [`x-ms-ratelimit-remaining-subscription-${kind}`]: '0',
      });
    },
    internalError: () =>
      armError(500, 'InternalServerError', `Encountered internal server error. Diagnostic information: timestamp '${state.now().toISOString()}', tracking id '${randomUUID()}'.`),
    accessDenied: (req, operation) =>
      armError(
        403,
        'AuthorizationFailed',
        `The client '00000000-0000-0000-0000-00000000c0d0' with object id '00000000-0000-0000-0000-00000000c0d0' does not have authorization to perform action '${operation}' over scope '${req.path}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      ),
  };
}
