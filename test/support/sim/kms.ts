import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { SimRequest, SimResponse, SimService } from '../../../functions/sim/server.js';

/**
 * AWS KMS on the simulated estate, the part the audit chain uses: CreateKey (SIGN_VERIFY,
 * ECC_NIST_EDWARDS25519 or ECC_NIST_P256), GetPublicKey and Sign, over the JSON 1.1 protocol
 * (`X-Amz-Target: TrentService.<Op>`, blobs base64). Private keys never leave the service, as in
 * KMS: a caller holding kms:Sign can sign but cannot take the key away.
 */
const TARGET_PREFIX = 'TrentService.';

type KeySpec = 'ECC_NIST_EDWARDS25519' | 'ECC_NIST_P256';
const ALGORITHM: Record<KeySpec, string> = { ECC_NIST_EDWARDS25519: 'ED25519_SHA_512', ECC_NIST_P256: 'ECDSA_SHA_256' };

interface SimKey {
  arn: string;
  spec: KeySpec;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const json = (status: number, body: unknown): SimResponse => ({ status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });

export class KmsSimService implements SimService {
  readonly name = 'kms';
  private readonly keys = new Map<string, SimKey>();

  constructor(private readonly options: { account?: string; region?: string } = {}) {}

  identify(req: SimRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return undefined;
    return `kms:${target.slice(TARGET_PREFIX.length)}`;
  }

  handle(req: SimRequest, operation: string): SimResponse {
    try {
      const input = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
      return json(200, this.dispatch(operation.slice('kms:'.length), input));
    } catch (e) {
      if (e instanceof KmsError) return json(400, { __type: e.type, message: e.message });
      throw e;
    }
  }

  /** A key created directly in the estate (what the stack would have made); returns its ARN. */
  createKey(spec: KeySpec = 'ECC_NIST_EDWARDS25519'): string {
    const id = randomUUID();
    const arn = `arn:aws:kms:${this.options.region ?? 'eu-west-1'}:${this.options.account ?? '111122223333'}:key/${id}`;
    const pair = spec === 'ECC_NIST_P256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    const key = { arn, spec, ...pair };
    this.keys.set(arn, key);
    this.keys.set(id, key);
    return arn;
  }

  private dispatch(op: string, input: Record<string, unknown>): unknown {
    switch (op) {
      case 'CreateKey': {
        const spec = String(input.KeySpec ?? '');
        if (input.KeyUsage !== 'SIGN_VERIFY' || !(spec in ALGORITHM)) throw new KmsError('ValidationException', 'the simulated KMS makes SIGN_VERIFY keys of ECC_NIST_EDWARDS25519 or ECC_NIST_P256');
        const arn = this.createKey(spec as KeySpec);
        return { KeyMetadata: { Arn: arn, KeyId: arn.split('/').pop(), KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Enabled: true } };
      }
      case 'GetPublicKey': {
        const key = this.key(input);
        return {
          KeyId: key.arn,
          KeySpec: key.spec,
          KeyUsage: 'SIGN_VERIFY',
          PublicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
          SigningAlgorithms: [ALGORITHM[key.spec]],
        };
      }
      case 'Sign': {
        const key = this.key(input);
        if (input.SigningAlgorithm !== ALGORITHM[key.spec]) throw new KmsError('InvalidKeyUsageException', `key ${key.arn} does not support ${String(input.SigningAlgorithm)}`);
        if ((input.MessageType ?? 'RAW') !== 'RAW') throw new KmsError('ValidationException', 'the simulated KMS signs RAW messages only');
        const message = Buffer.from(String(input.Message ?? ''), 'base64');
        if (message.length === 0 || message.length > 4096) throw new KmsError('ValidationException', 'Message must be 1 to 4096 bytes');
        const signature = sign(key.spec === 'ECC_NIST_P256' ? 'sha256' : null, message, key.privateKey);
        return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: input.SigningAlgorithm };
      }
      default:
        throw new KmsError('UnsupportedOperationException', `the simulated KMS does not implement ${op}`);
    }
  }

  private key(input: Record<string, unknown>): SimKey {
    const key = this.keys.get(String(input.KeyId ?? ''));
    if (!key) throw new KmsError('NotFoundException', `Key '${String(input.KeyId)}' does not exist`);
    return key;
  }

  throttled(): SimResponse {
    return json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
  }

  internalError(): SimResponse {
    return json(500, { __type: 'KMSInternalException', message: 'Internal error' });
  }

  accessDenied(_req: SimRequest, operation: string): SimResponse {
    return json(400, { __type: 'AccessDeniedException', message: `User: arn:aws:sts::000000000000:assumed-role/cordon/cordon is not authorized to perform: ${operation}` });
  }
}
