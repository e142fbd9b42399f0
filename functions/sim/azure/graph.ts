/**
 * Microsoft Graph over the simulated estate (`/v1.0/...`): users (read, update `accountEnabled`
 * and `passwordProfile`), revokeSignInSessions and security alerts_v2, with Graph's error shape
 * (`Request_ResourceNotFound` …). Operations are named `graph:<operation>` (`graph:revokeSignInSessions`).
 *
 * Like a real tenant, Graph refuses to change the sensitive properties (`accountEnabled`, the
 * password) of a user in a privileged administrator role unless the caller holds a higher
 * privileged role ("Who can perform sensitive actions"); Cordon's identity holds none, so it gets
 * 403 `Authorization_RequestDenied`.
 */
import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse, SimService } from '../server.js';
import { isPrivilegedUser, type AzureEstateState, type SimUser } from './state.js';

const GRAPH_ROUTES: readonly { method: string; pattern: RegExp; operation: string }[] = [
  { method: 'POST', pattern: /^\/(?:v1\.0|beta)\/users\/([^/]+)\/revokeSignInSessions$/i, operation: 'graph:revokeSignInSessions' },
  { method: 'GET', pattern: /^\/(?:v1\.0|beta)\/users\/([^/]+)$/i, operation: 'graph:getUser' },
  { method: 'PATCH', pattern: /^\/(?:v1\.0|beta)\/users\/([^/]+)$/i, operation: 'graph:updateUser' },
  { method: 'GET', pattern: /^\/(?:v1\.0|beta)\/security\/alerts_v2\/([^/]+)$/i, operation: 'graph:getAlert' },
  { method: 'PATCH', pattern: /^\/(?:v1\.0|beta)\/security\/alerts_v2\/([^/]+)$/i, operation: 'graph:updateAlert' },
];

function route(req: SimRequest): { operation: string; arg: string } | undefined {
  for (const r of GRAPH_ROUTES) {
    const m = r.method === req.method ? r.pattern.exec(req.path) : null;
    if (m) return { operation: r.operation, arg: m[1] as string };
  }
  return undefined;
}

export function createGraphService(state: AzureEstateState): SimService {
  const graphJson = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
    status,
    headers: { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8', 'request-id': randomUUID(), ...headers },
    body: JSON.stringify(body),
  });
  const graphError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    graphJson(status, { error: { code, message, innerError: { date: state.now().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } }, headers);
  const userMissing = (id: string) =>
    graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
  const userView = (u: SimUser, select: string | null) => {
    const full: Record<string, unknown> = {
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      accountEnabled: u.accountEnabled,
      signInSessionsValidFromDateTime: u.signInSessionsValidFromDateTime,
      lastPasswordChangeDateTime: u.lastPasswordChangeDateTime,
    };
    const fields = select ? select.split(',').map((s) => s.trim()) : ['id', 'userPrincipalName', 'displayName'];
    return { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity', ...Object.fromEntries(fields.filter((f) => f in full).map((f) => [f, full[f]])) };
  };

  return {
    name: 'microsoft-graph',
    identify: (req) => route(req)?.operation,
    handle: (req) => {
      const r = route(req);
      if (!r) return graphError(400, 'BadRequest', `Resource not found for the segment in ${req.path}.`);
      if (!/^Bearer \S+/.test(String(req.headers.authorization ?? ''))) {
        return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
      }
      const id = r.arg.toLowerCase();
      switch (r.operation) {
        case 'graph:getUser': {
          const u = state.users.get(id);
          return u ? graphJson(200, userView(u, req.query.get('$select'))) : userMissing(r.arg);
        }
        case 'graph:updateUser': {
          const u = state.users.get(id);
          if (!u) return userMissing(r.arg);
          let patch: Record<string, unknown>;
          try {
            const parsed: unknown = JSON.parse(req.body.toString('utf8') || '{}');
            patch = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
          } catch {
            return graphError(400, 'BadRequest', 'Invalid JSON body.');
          }
          const sensitive = 'accountEnabled' in patch || 'passwordProfile' in patch;
          if (sensitive && isPrivilegedUser(u)) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
          if ('accountEnabled' in patch) {
            if (typeof patch.accountEnabled !== 'boolean') return graphError(400, 'Request_BadRequest', "Invalid value specified for property 'accountEnabled' of resource 'User'.");
            u.accountEnabled = patch.accountEnabled;
          }
          if ('passwordProfile' in patch) {
            const password = (patch.passwordProfile as { password?: unknown } | null)?.password;
            if (typeof password !== 'string' || password.length < 8) return graphError(400, 'Request_BadRequest', "Invalid value specified for property 'passwordProfile' of resource 'User'.");
            // An administrator's password reset also revokes the user's refresh tokens.
            const at = state.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
            u.lastPasswordChangeDateTime = at;
            u.signInSessionsValidFromDateTime = at;
          }
          return { status: 204, headers: { 'request-id': randomUUID() } };
        }
        case 'graph:revokeSignInSessions': {
          const u = state.users.get(id);
          if (!u) return userMissing(r.arg);
          const at = state.now().toISOString();
          u.signInSessionsValidFromDateTime = at.replace(/\.\d{3}Z$/, 'Z');
          u.revocations.push(at);
          return graphJson(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true });
        }
        case 'graph:getAlert': {
          const a = state.graphAlerts.get(id);
          return a
            ? graphJson(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2/$entity', ...a })
            : graphError(404, 'NotFound', `Alert with id '${r.arg}' was not found.`);
        }
        default: {
          const a = state.graphAlerts.get(id);
          if (!a) return graphError(404, 'NotFound', `Alert with id '${r.arg}' was not found.`);
          let patch: unknown;
          try {
            patch = JSON.parse(req.body.toString('utf8'));
          } catch {
            return graphError(400, 'BadRequest', 'Invalid JSON body.');
          }
          Object.assign(a, typeof patch === 'object' && patch !== null ? patch : {}, { lastUpdateDateTime: state.now().toISOString() });
          return graphJson(200, a);
        }
      }
    },
    throttled: () =>
      graphError(429, 'TooManyRequests', 'Too many requests. Please retry after the time specified in the Retry-After header.', { 'retry-after': '0' }),
    internalError: () => graphError(500, 'generalException', 'An unexpected error occurred (simulated).'),
    accessDenied: () => graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  };
}
