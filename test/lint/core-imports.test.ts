import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The import rules of eslint.config.js, exercised on source text placed (virtually) at a path:
// each forbidden import has a twin that is allowed, so a rule that matches nothing cannot pass.
const cwd = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('functions/core import rules', () => {
  it('refuses cloud SDKs and Lambda middleware in core', async () => {
    for (const pkg of ['@aws-sdk/client-ec2', '@azure/arm-compute', '@microsoft/microsoft-graph-client', '@smithy/types', '@aws-lambda-powertools/logger', '@middy/core']) {
      expect(await restricted('functions/core/plan/x.ts', `import { a } from '${pkg}';\nexport const b = a;\n`)).toEqual([expect.stringMatching(/functions\/core is pure/)]);
    }
    expect(await restricted('functions/core/plan/x.ts', `import * as z from 'zod';\nexport const b = z;\n`)).toEqual([]);
  });

  it('refuses the file system in core except in its one marked edge', async () => {
    const code = `import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n`;
    expect(await restricted('functions/core/plan/x.ts', code)).toEqual([expect.stringMatching(/does no I\/O/)]);
    expect(await restricted('functions/core/x.ts', `import { readFile } from 'fs/promises';\nexport const r = readFile;\n`)).toHaveLength(1);
    expect(await restricted('functions/core/playbooks/load.ts', code)).toEqual([]);
    expect(await restricted('functions/records/x.ts', code)).toEqual([]);
  });

  it('refuses outer layers at any depth, and allows core itself (core/actions is core)', async () => {
    const outer = /imports only functions\/core/;
    expect(await restricted('functions/core/x.ts', `import { a } from '../records/audit-log.js';\nexport const b = a;\n`)).toEqual([expect.stringMatching(outer)]);
    expect(await restricted('functions/core/plan/x.ts', `import { a } from '../../actions/aws/index.js';\nexport const b = a;\n`)).toEqual([expect.stringMatching(outer)]);
    expect(await restricted('functions/core/plan/x.ts', `export { a } from '../../../workflows/input.js';\n`)).toEqual([expect.stringMatching(outer)]);
    expect(await restricted('functions/core/plan/x.ts', `import type { A } from '../../../infra/permissions.js';\nexport type B = A;\n`)).toEqual([expect.stringMatching(outer)]);
    expect(await restricted('functions/core/plan/x.ts', `import { a } from '../actions/catalog.js';\nexport const b = a;\n`)).toEqual([]);
    expect(await restricted('functions/core/x.ts', `import { a } from './plan/plan.js';\nexport const b = a;\n`)).toEqual([]);
  });

  it('lets core tests use test/support and read fixtures, but not outer layers', async () => {
    expect(await restricted('functions/core/plan/x.test.ts', `import { a } from '../../../test/support/findings.js';\nimport { readFileSync } from 'node:fs';\nexport const b = [a, readFileSync];\n`)).toEqual([]);
    expect(await restricted('functions/core/plan/x.test.ts', `import { a } from '../../sim/estate.js';\nexport const b = a;\n`)).toHaveLength(1);
  });
});
