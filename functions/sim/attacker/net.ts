/** Address matching for the attacker model: is a remote address inside a rule's CIDR? */

function ipv4ToBigInt(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function ipv6ToBigInt(ip: string): bigint | undefined {
  if (!ip.includes(':')) return undefined;
  const [head = '', tail, extra] = ip.split('::');
  if (extra !== undefined) return undefined;
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export const isIpv6 = (ip: string): boolean => ip.includes(':');

/** Whether `ip` is inside `cidr` (same family only; IPv4 and IPv6 are judged separately, as EC2 does). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base = '', lenText] = cidr.split('/');
  const v6 = isIpv6(base);
  if (v6 !== isIpv6(ip)) return false;
  const bits = v6 ? 128 : 32;
  const len = lenText === undefined ? bits : Number(lenText);
  const parse = v6 ? ipv6ToBigInt : ipv4ToBigInt;
  const a = parse(ip);
  const b = parse(base);
  if (a === undefined || b === undefined || !Number.isInteger(len) || len < 0 || len > bits) return false;
  const shift = BigInt(bits - len);
  return a >> shift === b >> shift;
}
