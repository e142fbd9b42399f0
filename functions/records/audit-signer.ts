import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, makePrivateDir, writePrivateFile } from './private-fs.js';

/**
 * The audit key (DESIGN.md §3): every record's `sig` is a signature over its `hash` — the UTF-8
 * bytes of the 64 hex digits — base64-encoded. Ed25519 locally (pure Ed25519; KMS calls it
 * ED25519_SHA_512 with MessageType RAW), or in the cloud a KMS asymmetric key: ECC_NIST_EDWARDS25519
 * the same way, or ECC_NIST_P256 with ECDSA_SHA_256 over the same bytes (DER signature). The
 * verifier reads which from the public key, so one verifier checks both.
 *
 * What a signature proves: a local key stops whoever lacks it from recomputing an edited chain;
 * against whoever holds the key (an insider on the host), only a head anchored outside — in a
 * report, a ticket, the cloud's Object Lock checkpoints — shows that records were rewritten or cut.
 */
export interface AuditSigner {
  /** Names the key: `ed25519:<first 16 hex of SHA-256 of the public key>` locally, the key ARN in KMS. */
  readonly keyId: string;
  /** The public key, SPKI PEM (what `audit.pub` holds). */
  publicKeyPem(): Promise<string>;
  /** Signature over `hash` (base64). */
  sign(hash: string): Promise<string>;
}

export const AUDIT_KEY_FILE = 'audit.key';
export const AUDIT_PUB_FILE = 'audit.pub';

/** The key id of a public key: a fingerprint, so a report can name which key signed. */
export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `${createPublicKey(publicKeyPem).asymmetricKeyType ?? 'key'}:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/**
 * The local Ed25519 key of a Cordon home: `$CORDON_HOME/audit.key` (PKCS#8 PEM, 0600), created on
 * first use, its public half in `audit.pub` beside it. Two processes starting at once agree on one
 * key: the private key file is created exclusively, and the loser reads the winner's.
 */
export function localAuditSigner(home: string): AuditSigner {
  const keyPath = join(home, AUDIT_KEY_FILE);
  makePrivateDir(home);
  if (!existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      const fd = openSync(keyPath, 'wx', PRIVATE_FILE_MODE);
      try {
        writeSync(fd, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const privateKey = readPrivateKey(keyPath);
  const pem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const pubPath = join(home, AUDIT_PUB_FILE);
  if (!existsSync(pubPath) || readFileSync(pubPath, 'utf8') !== pem) writePrivateFile(pubPath, pem);
  return {
    keyId: keyIdOf(pem),
    publicKeyPem: async () => pem,
    sign: async (hash) => signWith(privateKey, hash),
  };
}

function readPrivateKey(keyPath: string): KeyObject {
  // A concurrent creator may not have written its key yet: the file exists but is still empty.
  for (let attempt = 0; ; attempt++) {
    const pem = readFileSync(keyPath, 'utf8');
    if (pem.includes('END PRIVATE KEY') || attempt > 1000) return createPrivateKey(pem);
  }
}

/** A signature by a local private key, in the form KMS returns it (Ed25519 raw, ECDSA DER). */
export function signWith(privateKey: KeyObject, hash: string): string {
  const digest = privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return sign(digest, Buffer.from(hash, 'utf8'), privateKey).toString('base64');
}

/** Whether `sig` is the key's signature over `hash`. */
export function verifySignature(publicKey: KeyObject, hash: string, sig: unknown): boolean {
  if (typeof sig !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(sig)) return false;
  const digest = publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  try {
    return verify(digest, Buffer.from(hash, 'utf8'), publicKey, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/** Parses a public key file's content (PEM SPKI); undefined when it is not a key. */
export function parsePublicKey(pem: string): KeyObject | undefined {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ec' ? key : undefined;
  } catch {
    return undefined;
  }
}
