import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cordon } from './harness.js';

const PLAYBOOK_IDS = ['aws-ec2-compromise', 'aws-ec2-subnet-cut', 'aws-iam-credential-compromise', 'aws-s3-data-exposure', 'azure-identity-compromise', 'azure-storage-exposure', 'azure-vm-compromise'];

describe('cordon playbooks', () => {
  it('lists the six playbooks of DESIGN.md and the manual subnet cut', async () => {
    const r = await cordon(['playbooks', 'list', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id).sort()).toEqual(PLAYBOOK_IDS);
    expect((await cordon(['playbooks', 'list'])).stdout).toMatch(/aws-ec2-compromise\s+aws/);
  });

  it('validates the bundled playbooks', async () => {
    const r = await cordon(['playbooks', 'validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('7 valid, 0 invalid');
  });

  it('names the file, the field path and the problem of a bad playbook (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-pb-'));
    writeFileSync(join(dir, 'bad.yaml'), 'id: bad-one\ntitle: Bad\ndescription: x\ncloud: aws\nmatch: { source: [guardduty] }\nsteps:\n  - action: quarantine-host\n');
    const r = await cordon(['playbooks', 'validate', '--playbooks', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml: steps\[0\]\.action: .*quarantine-host/);
  });

  it('compiles one ASL state machine per playbook, identical to the checked-in definitions', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cordon-asl-'));
    mkdirSync(out, { recursive: true });
    const r = await cordon(['playbooks', 'compile', '--out', out]);
    expect(r.code).toBe(0);
    const written = readdirSync(out).sort();
    expect(written).toEqual([...PLAYBOOK_IDS.map((id) => `${id}.asl.json`), 'clock-watch.asl.json'].sort());
    for (const f of written) expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join('workflows/asl', f), 'utf8'));
  });

  it('top-level help teaches the commands', async () => {
    const r = await cordon(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['plan', 'tabletop', 'run', 'playbooks', 'clocks', 'approve', 'audit']) expect(r.stdout).toContain(c);
    expect((await cordon(['tabletop', '--help'])).stdout).toContain('--faults SPEC');
  });
});
