import { XMLParser } from 'fast-xml-parser';
import type { SimRequest, SimResponse, SimService } from '../server.js';
import type { AwsEstateState, SimPublicAccessBlock } from './state.js';
import { S3_FAULT_ANSWERS, s3ErrorResponse } from './s3.js';
import { isS3ControlRequest, requestId, signingService, xmlDocument, xmlResponse } from './wire.js';

/**
 * S3 Control (REST-XML, `/v20180820/…`, the account in `x-amz-account-id`): the account-level
 * Block Public Access the attacker model judges public buckets by. S3 Control signs as `s3`, so it
 * is told from S3 by its path. Operations are named as IAM names them (`s3:PutAccountPublicAccessBlock`).
 */
const NS = 'http://awss3control.amazonaws.com/doc/2018-08-20/';
const PAB_PATH = '/v20180820/configuration/publicAccessBlock';
const FIELDS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

export class S3ControlService implements SimService {
  readonly name = 's3control';
  constructor(private readonly state: AwsEstateState) {}

  identify(req: SimRequest): string | undefined {
    if (signingService(req) !== 's3' || !isS3ControlRequest(req)) return undefined;
    if (req.path === PAB_PATH) return `s3:${{ GET: 'Get', PUT: 'Put', DELETE: 'Delete' }[req.method] ?? req.method}AccountPublicAccessBlock`;
    return `s3:Unknown${req.method}`;
  }

  readonly throttled = S3_FAULT_ANSWERS.throttled;
  readonly internalError = S3_FAULT_ANSWERS.internalError;
  readonly accessDenied = S3_FAULT_ANSWERS.accessDenied;

  handle(req: SimRequest, operation: string): SimResponse {
    const header = req.headers['x-amz-account-id'];
    const account = typeof header === 'string' && /^\d{12}$/.test(header) ? header : undefined;
    if (!account) return s3ErrorResponse(400, 'InvalidRequest', 'x-amz-account-id must be a 12-digit account id');
    const home = account === this.state.account;
    const other = (this.state.otherAccountPublicAccessBlocks ??= {});
    switch (operation) {
      case 's3:GetAccountPublicAccessBlock': {
        const config = home ? this.state.accountPublicAccessBlock : other[account];
        if (!config) return s3ErrorResponse(404, 'NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', { AccountId: this.state.account });
        return xmlResponse(200, xmlDocument('PublicAccessBlockConfiguration', NS, { ...config }));
      }
      case 's3:PutAccountPublicAccessBlock': {
        let doc: unknown;
        try {
          doc = parser.parse(req.body.toString('utf8'));
        } catch {
          doc = undefined;
        }
        const config = (doc as { PublicAccessBlockConfiguration?: Record<string, unknown> } | undefined)?.PublicAccessBlockConfiguration;
        if (typeof config !== 'object' || config === null) return s3ErrorResponse(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
        // Omitted fields are false, as S3 stores them.
        const stored = Object.fromEntries(FIELDS.map((f) => [f, String(config[f] ?? 'false').trim() === 'true'])) as unknown as SimPublicAccessBlock;
        if (home) this.state.accountPublicAccessBlock = stored;
        else other[account] = stored;
        return { status: 200, headers: { 'x-amz-request-id': requestId() } };
      }
      case 's3:DeleteAccountPublicAccessBlock':
        if (home) delete this.state.accountPublicAccessBlock;
        else delete other[account];
        return { status: 204 };
      default:
        return s3ErrorResponse(501, 'NotImplemented', `A header or query you provided implies functionality that is not implemented (${operation}).`);
    }
  }
}
