import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../server.js';

/**
 * Wire helpers shared by the AWS services of the estate: who is being addressed (the SigV4
 * credential scope), query-protocol parameters, and a tiny XML writer.
 */

/** The service in `Credential=AKID/20240101/us-east-1/SERVICE/aws4_request` — how the SDK addresses AWS. */
export function signingService(req: SimRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const match = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  return match?.[1];
}

/** S3 Control signs as `s3` too; its paths are versioned (`/v20180820/configuration/publicAccessBlock`). */
export function isS3ControlRequest(req: SimRequest): boolean {
  return req.path.startsWith('/v20180820/');
}

export function signingRegion(req: SimRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(auth)?.[1];
}

/** AWS query / EC2 query parameters (`Filter.1.Value.2=…`), read from the form body or the URL. */
export class QueryParams {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  static of(req: SimRequest): QueryParams {
    const merged = new Map<string, string>(req.query);
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) merged.set(k, v);
    return new QueryParams(merged);
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  keys(): string[] {
    return [...this.values.keys()];
  }

  /** `Prefix.1`, `Prefix.2` … in order. */
  list(prefix: string): string[] {
    const out: string[] = [];
    for (let i = 1; this.values.has(`${prefix}.${i}`); i++) out.push(this.values.get(`${prefix}.${i}`) as string);
    return out;
  }

  /** The members of `Prefix.N.*`, each as its own QueryParams view. */
  structs(prefix: string): QueryParams[] {
    const out: QueryParams[] = [];
    for (let i = 1; ; i++) {
      const head = `${prefix}.${i}.`;
      const sub = new Map<string, string>();
      for (const [k, v] of this.values) if (k.startsWith(head)) sub.set(k.slice(head.length), v);
      if (sub.size === 0) return out;
      out.push(new QueryParams(sub));
    }
  }

  /** `Tag.N.Key` / `Tag.N.Value` pairs under a prefix. */
  tags(prefix = 'Tag'): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const t of this.structs(prefix)) {
      const key = t.get('Key');
      if (key !== undefined) tags[key] = t.get('Value') ?? '';
    }
    return tags;
  }
}

/** A value the XML writer renders: objects become child elements, arrays repeat their element. */
export type Xml = string | number | boolean | null | undefined | readonly Xml[] | { readonly [tag: string]: Xml };

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

export function renderXml(tag: string, value: Xml): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return (value as readonly Xml[]).map((v) => renderXml(tag, v)).join('');
  if (typeof value === 'object') {
    const inner = Object.entries(value as { readonly [tag: string]: Xml })
      .map(([k, v]) => renderXml(k, v))
      .join('');
    return `<${tag}>${inner}</${tag}>`;
  }
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

/** A whole XML document with its root namespace. */
export function xmlDocument(root: string, namespace: string | undefined, body: { readonly [tag: string]: Xml }): string {
  const inner = Object.entries(body)
    .map(([k, v]) => renderXml(k, v))
    .join('');
  const ns = namespace ? ` xmlns="${namespace}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${inner}</${root}>`;
}

export function xmlResponse(status: number, body: string, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'content-type': 'text/xml;charset=UTF-8', ...headers }, body };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export const requestId = (): string => randomUUID();

/** EC2-style tag list: `<tagSet><item><key/><value/></item></tagSet>`. */
export function ec2TagSet(tags: Readonly<Record<string, string>>): Xml {
  return { item: Object.entries(tags).map(([key, value]) => ({ key, value })) };
}
