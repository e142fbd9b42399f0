import { XMLParser } from 'fast-xml-parser';
import type { SimRequest, SimResponse, SimService } from '../server.js';
import type { AwsEstateState, SimBucket, SimPublicAccessBlock } from './state.js';
import { isS3ControlRequest, requestId, signingService, xmlDocument, xmlResponse } from './wire.js';

/** S3 REST-XML, path-style (`/bucket?publicAccessBlock`). Errors are a bare `<Error>` document. */
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const PAB_FIELDS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

export function s3ErrorResponse(status: number, code: string, message: string, extra: Record<string, string> = {}): SimResponse {
  const id = requestId();
  return xmlResponse(status, xmlDocument('Error', undefined, { Code: code, Message: message, ...extra, RequestId: id, HostId: 'cordon-simulated-estate' }), {
    'x-amz-request-id': id,
  });
}

/** S3's own answers to the estate's faults; S3 Control answers the same way. */
export const S3_FAULT_ANSWERS = {
  throttled: (): SimResponse => s3ErrorResponse(503, 'SlowDown', 'Please reduce your request rate.'),
  internalError: (): SimResponse => s3ErrorResponse(500, 'InternalError', 'We encountered an internal error. Please try again.'),
  accessDenied: (): SimResponse => s3ErrorResponse(403, 'AccessDenied', 'Access Denied'),
} as const;

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

export class S3Service implements SimService {
  readonly name = 's3';
  constructor(private readonly state: AwsEstateState) {}

  identify(req: SimRequest): string | undefined {
    if (signingService(req) !== 's3' || isS3ControlRequest(req)) return undefined;
    const bucket = req.path.split('/')[1] ?? '';
    if (bucket === '') return 's3:ListBuckets';
    const sub = req.query.has('publicAccessBlock') ? 'PublicAccessBlock' : req.query.has('tagging') ? 'BucketTagging' : req.query.has('location') ? 'BucketLocation' : undefined;
    if (sub) return `s3:${{ GET: 'Get', PUT: 'Put', DELETE: 'Delete' }[req.method] ?? req.method}${sub}`;
    if (req.method === 'HEAD') return 's3:HeadBucket';
    return `s3:${req.method}Bucket`;
  }

  readonly throttled = S3_FAULT_ANSWERS.throttled;
  readonly internalError = S3_FAULT_ANSWERS.internalError;
  readonly accessDenied = S3_FAULT_ANSWERS.accessDenied;

  handle(req: SimRequest, operation: string): SimResponse {
    try {
      return this.dispatch(req, operation);
    } catch (e) {
      if (e instanceof S3Error) return req.method === 'HEAD' ? { status: e.status } : s3ErrorResponse(e.status, e.code, e.message, e.extra);
      throw e;
    }
  }

  private bucket(req: SimRequest): SimBucket {
    const name = req.path.split('/')[1] ?? '';
    const bucket = this.state.buckets[name];
    if (!bucket) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
    return bucket;
  }

  private dispatch(req: SimRequest, operation: string): SimResponse {
    switch (operation) {
      case 's3:HeadBucket':
        return { status: 200, headers: { 'x-amz-bucket-region': this.bucket(req).region } };
      case 's3:GetBucketLocation':
        return xmlResponse(200, xmlDocument('LocationConstraint', NS, {}).replace('></LocationConstraint>', `>${this.bucket(req).region}</LocationConstraint>`));
      case 's3:GetPublicAccessBlock': {
        const bucket = this.bucket(req);
        if (!bucket.publicAccessBlock) {
          throw new S3Error(404, 'NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', { BucketName: bucket.name });
        }
        return xmlResponse(200, xmlDocument('PublicAccessBlockConfiguration', NS, { ...bucket.publicAccessBlock }));
      }
      case 's3:PutPublicAccessBlock': {
        const bucket = this.bucket(req);
        bucket.publicAccessBlock = this.parsePublicAccessBlock(req.body);
        return { status: 200, headers: { 'x-amz-request-id': requestId() } };
      }
      case 's3:DeletePublicAccessBlock':
        delete this.bucket(req).publicAccessBlock;
        return { status: 204 };
      case 's3:GetBucketTagging': {
        const bucket = this.bucket(req);
        const entries = Object.entries(bucket.tags);
        if (entries.length === 0) throw new S3Error(404, 'NoSuchTagSet', 'The TagSet does not exist', { BucketName: bucket.name });
        return xmlResponse(200, xmlDocument('Tagging', NS, { TagSet: { Tag: entries.map(([Key, Value]) => ({ Key, Value })) } }));
      }
      default:
        throw new S3Error(501, 'NotImplemented', `A header or query you provided implies functionality that is not implemented (${operation}).`);
    }
  }

  private parsePublicAccessBlock(body: Buffer): SimPublicAccessBlock {
    let doc: unknown;
    try {
      doc = parser.parse(body.toString('utf8'));
    } catch {
      throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    const config = (doc as { PublicAccessBlockConfiguration?: Record<string, unknown> }).PublicAccessBlockConfiguration;
    if (typeof config !== 'object' || config === null) {
      throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    // Omitted fields are false, as S3 stores them.
    return Object.fromEntries(PAB_FIELDS.map((field) => [field, String(config[field] ?? 'false').trim() === 'true'])) as unknown as SimPublicAccessBlock;
  }
}
