import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../functions/config/settings.js';
import { main } from '../../functions/cli/main.js';
import type { Io } from '../../functions/cli/io.js';
import { EvidenceStore } from '../../functions/records/evidence.js';
import { freshHome, removeHomes } from './engine-harness.js';
import { PUBLIC_FIXTURES } from '../support/public-fixtures.js';

// The project's copies of the public samples (test/fixtures/public; sources in its SOURCES.md).
const PUBLIC = PUBLIC_FIXTURES;

/**
 * Issue 7 item 3 at the CLI: every ingest shape (the public samples and the project's Defender /
 * Graph fixtures), mutated — wrong types, huge strings, deep nesting, prototype-pollution keys,
 * control characters and `../` in ids. `cordon plan` never crashes and never acts on a bad id;
 * a rejection exits 2 with one line naming the file and the field, and no stack trace.
 */
afterAll(removeHomes);

const SHAPES = [
  ...['guardduty', 'securityhub'].flatMap((d) => readdirSync(join(PUBLIC, d)).map((f) => join(PUBLIC, d, f))),
  ...['defender', 'graph'].flatMap((d) => readdirSync(new URL(`../fixtures/${d}/`, import.meta.url)).map((f) => new URL(`../fixtures/${d}/${f}`, import.meta.url).pathname)),
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside the document. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (at.length > 0) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(doc: Json, path: (string | number)[], value: Json): void {
  let cur = doc as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  Object.defineProperty(cur, path[path.length - 1] as string, { value, enumerable: true, writable: true, configurable: true });
}

const deep = (n: number): Json => (n === 0 ? 'bottom' : { nested: deep(n - 1) });
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, 0, -1, 1e308, [], {}, [[[]]], '', '../../../../etc/passwd', 'i-123\u0000\n\u0007', 'a\u202e\u2028b', '%2e%2e%2f', 'constructor'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 100_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 50, max: 400 }).map(deep),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as Json),
);

function captureIo(cwd: string, env: Record<string, string> = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => stdout.push(t), err: (t) => stderr.push(t), env: { CORDON_HOME: join(cwd, 'home'), ...env }, cwd, interactive: false, stdout, stderr };
}

// eslint-disable-next-line no-control-regex -- looking for control characters
const CONTROL = /[\u0000-\u001f\u007f]/;

describe('cordon plan on hostile files', () => {
  const dir = freshHome();

  it.each(SHAPES.map((s) => [s.split('/').slice(-2).join('/'), s]))('%s, mutated: never crashes, never acts on a bad id, rejects naming the field', async (_name, shape) => {
    const original = JSON.parse(readFileSync(shape, 'utf8')) as Json;
    const all = paths(original);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: all.length - 1 }), hostileValue, async (i, value) => {
        const doc = structuredClone(original);
        setAt(doc, all[i] as (string | number)[], value);
        const file = join(dir, 'hostile.json');
        writeFileSync(file, JSON.stringify(doc));
        const io = captureIo(dir);
        const code = await main(['plan', file, '--json'], io);
        expect([0, 2]).toContain(code);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        for (const line of io.stderr) {
          expect(line).not.toMatch(/\n\s+at /); // no stack trace
          expect(line.startsWith(`cordon: ${file}: `)).toBe(true);
        }
        if (code === 2) {
          expect(io.stderr.length).toBeGreaterThan(0);
          // The reason names where: a field path, or what the file as a whole is.
          expect(io.stderr.join('\n').length).toBeGreaterThan(`cordon: ${file}: `.length);
        }
        const out = io.stdout.join('');
        if (out !== '') {
          const plan = JSON.parse(out) as { incidents: { steps: { target: string }[] }[] };
          for (const step of plan.incidents.flatMap((x) => x.steps)) {
            expect(step.target).not.toMatch(CONTROL);
            expect(step.target.split(/[/\\:]/)).not.toContain('..');
            expect(step.target.length).toBeLessThanOrEqual(2048);
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  it('answers a mistyped field with exit 2 and one line naming the file and the field', async () => {
    const doc = JSON.parse(readFileSync(SHAPES[0] as string, 'utf8')) as Json;
    const file = join(dir, 'typed.json');
    writeFileSync(file, JSON.stringify(JSON.parse(JSON.stringify(doc).replace(/"accountId":\s*"[^"]*"/, '"accountId": {"__proto__": 1}'))));
    const io = captureIo(dir);
    expect(await main(['plan', file], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/accountId/);
  });
});

describe('paths an operator gives are validated', () => {
  const dir = freshHome();

  it('refuses $CORDON_HOME with a .. segment or control characters, naming it', () => {
    expect(() => loadSettings({ CORDON_HOME: '../../etc' }, dir)).toThrow(/CORDON_HOME/);
    expect(() => loadSettings({ CORDON_HOME: 'home\u0000x' }, dir)).toThrow(/CORDON_HOME/);
    expect(() => loadSettings({ CORDON_HOME: 'home\nx' }, dir)).toThrow(/CORDON_HOME/);
    expect(loadSettings({ CORDON_HOME: '/var/lib/cordon' }, dir).home).toBe('/var/lib/cordon');
    expect(loadSettings({ CORDON_HOME: 'state/cordon' }, dir).home).toBe(join(dir, 'state/cordon'));
  });

  it('refuses --report and --out that climb out with .., exit 2 and one line', async () => {
    const finding = join(PUBLIC, 'guardduty', 'sample-Trojan.EC2-DGADomainRequest.B.bare.json');
    for (const argv of [
      ['tabletop', finding, '--report', '../../escape.md'],
      ['tabletop', finding, '--report', 'reports/../../escape.html'],
      ['playbooks', 'compile', '--out', '../outside'],
      ['playbooks', 'compile', '--out', 'asl\u0000x'],
    ]) {
      const io = captureIo(dir);
      expect(await main(argv, io)).toBe(2);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).toMatch(/--(report|out)/);
      expect(io.stderr[0]).not.toMatch(/\n\s+at /);
    }
  });

  it('an incident id cannot steer an evidence path (pinned)', () => {
    const evidence = new EvidenceStore(freshHome());
    for (const id of ['../../etc/passwd', 'inc-../x', 'inc-0123\u0000', '/abs']) {
      expect(() => evidence.pathOf(id)).toThrow();
    }
  });
});
