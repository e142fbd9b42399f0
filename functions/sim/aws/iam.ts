import type { SimRequest, SimResponse, SimService } from '../server.js';
import { protectedRoleKind, type AwsEstateState, type SimRole, type SimUser } from './state.js';
import { QueryParams, requestId, signingService, xmlDocument, xmlResponse, type Xml } from './wire.js';

/**
 * IAM and STS speak the AWS query protocol: `<OpResponse><OpResult>…` on success and
 * `<ErrorResponse><Error><Type/><Code/><Message/>` on failure. IAM returns policy documents
 * URL-encoded (RFC 3986), which callers must decode.
 */
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

export function queryErrorResponse(namespace: string, status: number, type: 'Sender' | 'Receiver', code: string, message: string): SimResponse {
  return xmlResponse(status, xmlDocument('ErrorResponse', namespace, { Error: { Type: type, Code: code, Message: message }, RequestId: requestId() }));
}

function queryOk(namespace: string, action: string, result?: { readonly [tag: string]: Xml }): SimResponse {
  return xmlResponse(
    200,
    xmlDocument(`${action}Response`, namespace, { ...(result ? { [`${action}Result`]: result } : {}), ResponseMetadata: { RequestId: requestId() } }),
  );
}

/** An AWS query-protocol service of the estate (IAM, STS, Auto Scaling): `Action=…` in, `<OpResponse><OpResult>` out. */
export abstract class QueryService implements SimService {
  abstract readonly name: string;
  protected abstract readonly namespace: string;
  constructor(protected readonly state: AwsEstateState) {}

  identify(req: SimRequest): string | undefined {
    if (signingService(req) !== this.name) return undefined;
    return `${this.name}:${QueryParams.of(req).get('Action') ?? 'Unknown'}`;
  }

  throttled(): SimResponse {
    return queryErrorResponse(this.namespace, 400, 'Sender', 'Throttling', 'Rate exceeded');
  }

  internalError(): SimResponse {
    return queryErrorResponse(this.namespace, 500, 'Receiver', 'ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.');
  }

  accessDenied(_req: SimRequest, operation: string): SimResponse {
    return queryErrorResponse(this.namespace, 403, 'Sender', 'AccessDenied', `User: arn:aws:sts::000000000000:assumed-role/cordon-responder/cordon is not authorized to perform: ${operation} because no identity-based policy allows the ${operation} action`);
  }

  handle(req: SimRequest, operation: string): SimResponse {
    const action = operation.slice(this.name.length + 1);
    try {
      return this.dispatch(action, QueryParams.of(req));
    } catch (e) {
      if (e instanceof QueryError) return queryErrorResponse(this.namespace, e.status, e.type, e.code, e.message);
      throw e;
    }
  }

  protected ok(action: string, result?: { readonly [tag: string]: Xml }): SimResponse {
    return queryOk(this.namespace, action, result);
  }

  protected abstract dispatch(action: string, params: QueryParams): SimResponse;
}

/** Put(Role|User)Policy: IAM validates the name and the JSON of the document. */
function putInlinePolicy(policies: Record<string, string>, params: QueryParams): void {
  const name = params.get('PolicyName');
  const document = params.get('PolicyDocument');
  if (!name || !document) throw new QueryError('ValidationError', 'PolicyName and PolicyDocument are required');
  try {
    JSON.parse(document);
  } catch {
    throw new QueryError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  policies[name] = document;
}

/** Delete(Role|User)Policy: NoSuchEntity for a policy that is not there. */
function deleteInlinePolicy(policies: Record<string, string>, params: QueryParams, kind: 'role' | 'user'): void {
  const name = params.get('PolicyName') ?? '';
  if (policies[name] === undefined) throw new QueryError('NoSuchEntity', `The ${kind} policy with name ${name} cannot be found.`, 404);
  delete policies[name];
}

export class IamService extends QueryService {
  readonly name = 'iam';
  protected readonly namespace = IAM_NS;

  protected dispatch(action: string, params: QueryParams): SimResponse {
    switch (action) {
      case 'GetRole': {
        const role = this.role(params.get('RoleName'));
        return this.ok(action, {
          Role: {
            Path: role.path,
            RoleName: role.name,
            RoleId: role.roleId,
            Arn: role.arn,
            CreateDate: role.createDate,
            AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] })),
            MaxSessionDuration: 3600,
          },
        });
      }
      case 'ListRolePolicies': {
        const role = this.role(params.get('RoleName'));
        return this.ok(action, { PolicyNames: { member: Object.keys(role.inlinePolicies) }, IsTruncated: false });
      }
      case 'GetRolePolicy': {
        const role = this.role(params.get('RoleName'));
        const name = params.get('PolicyName') ?? '';
        const document = role.inlinePolicies[name];
        if (document === undefined) throw new QueryError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
        return this.ok(action, { RoleName: role.name, PolicyName: name, PolicyDocument: encodeURIComponent(document) });
      }
      case 'PutRolePolicy':
      case 'DeleteRolePolicy': {
        const role = this.role(params.get('RoleName'));
        // IAM's own refusal: service-linked and Identity Center roles are modifiable only by AWS.
        if (protectedRoleKind(role)) throw new QueryError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`);
        if (action === 'DeleteRolePolicy') deleteInlinePolicy(role.inlinePolicies, params, 'role');
        else putInlinePolicy(role.inlinePolicies, params);
        return this.ok(action);
      }
      case 'GetInstanceProfile': {
        const name = params.get('InstanceProfileName') ?? '';
        const arn = Object.keys(this.state.instanceProfileRoles ?? {}).find((a) => a.split('/').pop() === name);
        const roleName = arn ? this.state.instanceProfileRoles?.[arn] : undefined;
        if (!arn || !roleName) throw new QueryError('NoSuchEntity', `Instance Profile ${name} cannot be found.`, 404);
        const role = this.state.roles[roleName];
        return this.ok(action, {
          InstanceProfile: {
            Path: '/',
            InstanceProfileName: name,
            InstanceProfileId: `AIPA${name.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(17, '0').slice(0, 17)}`,
            Arn: arn,
            CreateDate: '2024-01-01T00:00:00.000Z',
            Roles: { member: role ? [{ Path: role.path, RoleName: role.name, RoleId: role.roleId, Arn: role.arn, CreateDate: role.createDate }] : [] },
          },
        });
      }
      case 'ListRoleTags':
      case 'ListUserTags': {
        const entity = action === 'ListRoleTags' ? this.role(params.get('RoleName')) : this.user(params.get('UserName'));
        return this.ok(action, { Tags: { member: Object.entries(entity.tags).map(([Key, Value]) => ({ Key, Value })) }, IsTruncated: false });
      }
      case 'ListUserPolicies': {
        const user = this.user(params.get('UserName'));
        return this.ok(action, { PolicyNames: { member: Object.keys(user.inlinePolicies) }, IsTruncated: false });
      }
      case 'GetUserPolicy': {
        const user = this.user(params.get('UserName'));
        const name = params.get('PolicyName') ?? '';
        const document = user.inlinePolicies[name];
        if (document === undefined) throw new QueryError('NoSuchEntity', `The user policy with name ${name} cannot be found.`, 404);
        return this.ok(action, { UserName: user.name, PolicyName: name, PolicyDocument: encodeURIComponent(document) });
      }
      case 'PutUserPolicy': {
        putInlinePolicy(this.user(params.get('UserName')).inlinePolicies, params);
        return this.ok(action);
      }
      case 'DeleteUserPolicy': {
        deleteInlinePolicy(this.user(params.get('UserName')).inlinePolicies, params, 'user');
        return this.ok(action);
      }
      case 'GetLoginProfile': {
        const user = this.user(params.get('UserName'));
        if (!user.loginProfile) throw new QueryError('NoSuchEntity', `Login Profile for User ${user.name} cannot be found.`, 404);
        return this.ok(action, { LoginProfile: { UserName: user.name, CreateDate: user.loginProfile.createDate, PasswordResetRequired: user.loginProfile.passwordResetRequired } });
      }
      case 'DeleteLoginProfile': {
        const user = this.user(params.get('UserName'));
        if (!user.loginProfile) throw new QueryError('NoSuchEntity', `Login Profile for User ${user.name} cannot be found.`, 404);
        delete user.loginProfile;
        return this.ok(action);
      }
      case 'GetUser': {
        const user = this.user(params.get('UserName'));
        return this.ok(action, { User: { Path: user.path, UserName: user.name, UserId: user.userId, Arn: user.arn, CreateDate: user.createDate } });
      }
      case 'GetAccessKeyLastUsed': {
        const { user, key } = this.key(params.get('AccessKeyId'));
        return this.ok(action, {
          UserName: user.name,
          AccessKeyLastUsed: { LastUsedDate: key.lastUsed?.date, ServiceName: key.lastUsed?.service ?? 'N/A', Region: key.lastUsed?.region ?? 'N/A' },
        });
      }
      case 'ListAccessKeys': {
        const user = this.user(params.get('UserName'));
        return this.ok(action, {
          UserName: user.name,
          AccessKeyMetadata: { member: user.accessKeys.map((k) => ({ UserName: user.name, AccessKeyId: k.id, Status: k.status, CreateDate: k.createDate })) },
          IsTruncated: false,
        });
      }
      case 'UpdateAccessKey': {
        const { user, key } = this.key(params.get('AccessKeyId'));
        const userName = params.get('UserName');
        if (userName !== undefined && userName !== user.name) throw new QueryError('NoSuchEntity', `The Access Key with id ${key.id} cannot be found.`, 404);
        const status = params.get('Status');
        if (status !== 'Active' && status !== 'Inactive') throw new QueryError('ValidationError', `Value '${status ?? ''}' at 'status' failed to satisfy constraint`);
        key.status = status;
        return this.ok(action);
      }
      default:
        throw new QueryError('InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
    }
  }

  private role(name: string | undefined): SimRole {
    const role = name ? this.state.roles[name] : undefined;
    if (!role) throw new QueryError('NoSuchEntity', `The role with name ${name ?? ''} cannot be found.`, 404);
    return role;
  }

  private user(name: string | undefined): SimUser {
    const user = name ? this.state.users[name] : undefined;
    if (!user) throw new QueryError('NoSuchEntity', `The user with name ${name ?? ''} cannot be found.`, 404);
    return user;
  }

  private key(id: string | undefined): { user: SimUser; key: SimUser['accessKeys'][number] } {
    for (const user of Object.values(this.state.users)) {
      const key = user.accessKeys.find((k) => k.id === id);
      if (key) return { user, key };
    }
    throw new QueryError('NoSuchEntity', `The Access Key with id ${id ?? ''} cannot be found.`, 404);
  }
}

/** STS, for `GetCallerIdentity` (who the estate believes the caller is). */
export class StsService extends QueryService {
  readonly name = 'sts';
  protected readonly namespace = STS_NS;

  protected dispatch(action: string): SimResponse {
    if (action !== 'GetCallerIdentity') throw new QueryError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
    return this.ok(action, {
      Arn: `arn:aws:sts::${this.state.account}:assumed-role/CordonResponder/cordon`,
      UserId: 'AROACORDONSIMULATED:cordon',
      Account: this.state.account,
    });
  }
}
