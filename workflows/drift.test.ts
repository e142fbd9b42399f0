import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../functions/core/playbooks/load.js';
import { defaultAslDir, renderAll } from './write.js';

const REGENERATE = 'node --import tsx workflows/regenerate.ts   (or: npm run -s cordon -- playbooks compile --out workflows/asl)';

describe('checked-in ASL (workflows/asl/)', () => {
  const expected = renderAll(loadPlaybooks());
  const dir = defaultAslDir();
  const present = readdirSync(dir).filter((n) => n.endsWith('.asl.json')).sort();

  it('has exactly one file per playbook plus clock-watch', () => {
    expect(present, `workflows/asl/ is out of date with playbooks/ — regenerate it: ${REGENERATE}`).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))('%s matches what the playbooks compile to', (name) => {
    let onDisk = '';
    try {
      onDisk = readFileSync(join(dir, name), 'utf8');
    } catch {
      // missing: reported by the comparison below
    }
    expect(onDisk === expected[name], `workflows/asl/${name} differs from its playbook's compilation — regenerate it: ${REGENERATE}`).toBe(true);
  });
});
