import type { SimRequest, SimResponse, SimService } from '../../../functions/sim/server.js';
import { QueryParams, signingService, xmlDocument, xmlResponse } from '../../../functions/sim/aws/wire.js';

/**
 * Two wire services the handler tests need beyond the estate's: S3 object PUTs (the audit
 * mirror) and STS AssumeRole (the member-account responder role). Each records what it was
 * asked and answers in the real protocol's shape, so the real SDK clients parse the answers.
 * Registered before the estate's services, they take only these requests.
 */
export interface RecordedPut {
  bucket: string;
  key: string;
  body: string;
  headers: SimRequest['headers'];
}

export function s3ObjectPuts(puts: RecordedPut[]): SimService {
  // An object PUT names a key after the bucket; bucket configuration PUTs (publicAccessBlock …) do not.
  const isObjectPut = (req: SimRequest) => signingService(req) === 's3' && req.method === 'PUT' && req.path.split('/').filter(Boolean).length >= 2;
  return {
    name: 's3-objects',
    identify: (req) => (isObjectPut(req) ? 's3:PutObject' : undefined),
    handle: (req): SimResponse => {
      const [, bucket = '', ...key] = req.path.split('/');
      puts.push({ bucket, key: key.join('/'), body: req.body.toString('utf8'), headers: req.headers });
      return { status: 200, headers: { etag: '"cordon-sim"' } };
    },
    throttled: () => ({ status: 503, body: '<Error><Code>SlowDown</Code></Error>' }),
    internalError: () => ({ status: 500, body: '<Error><Code>InternalError</Code></Error>' }),
  };
}

export interface RecordedAssumeRole {
  roleArn: string;
  externalId: string | undefined;
  sessionName: string | undefined;
}

export function stsAssumeRole(calls: RecordedAssumeRole[]): SimService {
  const isAssume = (req: SimRequest) => signingService(req) === 'sts' && QueryParams.of(req).get('Action') === 'AssumeRole';
  return {
    name: 'sts-assume-role',
    identify: (req) => (isAssume(req) ? 'sts:AssumeRole' : undefined),
    handle: (req): SimResponse => {
      const q = QueryParams.of(req);
      const roleArn = q.get('RoleArn') ?? '';
      calls.push({ roleArn, externalId: q.get('ExternalId'), sessionName: q.get('RoleSessionName') });
      return xmlResponse(
        200,
        xmlDocument('AssumeRoleResponse', 'https://sts.amazonaws.com/doc/2011-06-15/', {
          AssumeRoleResult: {
            Credentials: { AccessKeyId: 'ASIACORDONASSUMED000', SecretAccessKey: 'assumed-secret', SessionToken: 'assumed-session', Expiration: new Date(Date.now() + 900_000).toISOString() },
            AssumedRoleUser: { Arn: `${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${q.get('RoleSessionName') ?? ''}`, AssumedRoleId: 'AROACORDONSIM:session' },
          },
          ResponseMetadata: { RequestId: 'cordon-sim' },
        }),
      );
    },
    throttled: () => xmlResponse(400, '<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>'),
    internalError: () => xmlResponse(500, '<ErrorResponse><Error><Code>InternalFailure</Code></Error></ErrorResponse>'),
  };
}
