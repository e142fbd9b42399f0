import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AZURE_FUNCTION_APP_ENTRIES, LAMBDA_ENTRIES } from '../infra/lambdas.js';

/**
 * Product folders hold product code only (issue 10): every non-test file under functions/ must
 * be reachable through imports from a product entry — the CLI (bin/cordon.js), a Lambda entry,
 * the Azure Function App entries, or the infra/workflows tooling. A file reached only from tests
 * is test support and belongs under test/support/.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const isTest = (file: string): boolean => /\.test\.ts$/.test(file) || file.startsWith(`test${sep}`);

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(rel);
    return /\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** Relative imports of one file (static, re-exports and literal dynamic imports), as repo paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
      const asTs = target.replace(/\.js$/, '.ts');
      return existsSync(join(ROOT, asTs)) ? asTs : target;
    });
}

describe('product folders', () => {
  it('hold no file that only tests import', () => {
    const files = ['functions', 'infra', 'workflows', 'bin'].flatMap(walk);
    const entries = [
      ...files.filter((f) => !f.startsWith(`functions${sep}`) && !isTest(f)),
      ...[...Object.values(LAMBDA_ENTRIES), ...Object.values(AZURE_FUNCTION_APP_ENTRIES)].map((e) => e.split('/').join(sep)),
    ];
    const reached = new Set<string>();
    const queue = [...entries];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (reached.has(file) || !existsSync(join(ROOT, file))) continue;
      reached.add(file);
      queue.push(...importsOf(file));
    }
    const unreached = files.filter((f) => f.startsWith(`functions${sep}`) && !isTest(f) && !reached.has(f));
    expect(unreached, 'move test-only files to test/support/ (or delete dead code)').toEqual([]);
  });
});
