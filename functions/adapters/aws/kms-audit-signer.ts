import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import type { AuditSigner } from '../../records/audit-signer.js';

/**
 * The cloud's audit key: a KMS asymmetric key (ECC_NIST_EDWARDS25519, or ECC_NIST_P256 where
 * Ed25519 is not offered). The functions hold kms:Sign only; the private key never leaves KMS,
 * so even the deployment's own code cannot sign anything but through KMS's log (CloudTrail).
 * The message is the record hash's 64 hex characters, MessageType RAW — the same bytes the local
 * Ed25519 key signs, so one verifier checks both.
 */
export class KmsAuditSigner implements AuditSigner {
  private described: Promise<{ pem: string }> | undefined;

  /**
   * `algorithm`: ED25519_SHA_512 for an ECC_NIST_EDWARDS25519 key (the stack's), ECDSA_SHA_256
   * for ECC_NIST_P256. Given up front, so signing needs kms:Sign and nothing else.
   */
  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
    private readonly algorithm: SigningAlgorithmSpec = 'ED25519_SHA_512',
  ) {}

  publicKeyPem(): Promise<string> {
    return this.describe().then((d) => d.pem);
  }

  async sign(hash: string): Promise<string> {
    const out = await this.kms.send(new SignCommand({ KeyId: this.keyId, Message: Buffer.from(hash, 'utf8'), MessageType: 'RAW', SigningAlgorithm: this.algorithm }));
    if (!out.Signature) throw new Error(`KMS Sign with ${this.keyId} returned no signature`);
    return Buffer.from(out.Signature).toString('base64');
  }

  /** The public key (kms:GetPublicKey: the verifier's permission, not the functions'). */
  private describe(): Promise<{ pem: string }> {
    this.described ??= this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then((out) => {
      if (!out.PublicKey) throw new Error(`KMS GetPublicKey of ${this.keyId} returned no key`);
      if (out.KeySpec !== 'ECC_NIST_P256' && out.KeySpec !== 'ECC_NIST_EDWARDS25519') throw new Error(`KMS key ${this.keyId} is ${String(out.KeySpec)}: the audit key must be ECC_NIST_EDWARDS25519 or ECC_NIST_P256`);
      return { pem: createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString() };
    });
    this.described.catch(() => (this.described = undefined));
    return this.described;
  }
}
