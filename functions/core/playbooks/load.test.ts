import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { defaultPlaybookDir, loadPlaybooks, parsePlaybook, validatePlaybookDir } from './load.js';

const GOOD = `
id: test-ec2
title: Test
description: A test playbook
cloud: aws
match:
  source: [guardduty]
  types: ["Backdoor:EC2/*"]
steps:
  - action: quarantine-instance
  - action: snapshot-volumes
`;

function problemOf(text: string): InputError {
  try {
    parsePlaybook(text, 'playbooks/bad.yaml');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('parsePlaybook', () => {
  it('parses a valid playbook and fills the defaults', () => {
    const p = parsePlaybook(GOOD, 'playbooks/test.yaml');
    expect(p).toMatchObject({
      id: 'test-ec2',
      priority: 100,
      approval: 'none',
      clocks: { gdpr: false },
      limits: { maxTargets: 10 },
      match: { minSeverity: 'informational', recordState: ['ACTIVE'], workflowStatus: ['NEW', 'NOTIFIED'] },
    });
    expect(p.steps.map((s) => s.action)).toEqual(['quarantine-instance', 'snapshot-volumes']);
  });

  it('names the file, the path and the unknown action, listing the known ones', () => {
    const e = problemOf(GOOD.replace('action: snapshot-volumes', 'action: quarantine-host'));
    expect(e.file).toBe('playbooks/bad.yaml');
    expect(e.field).toBe('steps[1].action');
    expect(e.problem).toMatch(/^unknown action 'quarantine-host'; expected one of quarantine-instance, snapshot-volumes, /);
    expect(e.message).toMatch(/^playbooks\/bad\.yaml: steps\[1\]\.action: unknown action 'quarantine-host'/);
  });

  it('reports bad YAML with its line and column', () => {
    const e = problemOf('id: x\nsteps: [\n  - action: y\n');
    expect(e.field).toBe('line 3, column 3');
    expect(e.problem).toMatch(/^invalid YAML: /);
  });

  it('rejects duplicate keys as bad YAML', () => {
    expect(problemOf(`${GOOD}\nid: other\n`).problem).toMatch(/invalid YAML: Map keys must be unique/);
  });

  it('rejects an empty file', () => {
    expect(problemOf('  \n').problem).toBe('empty file');
  });

  it('names a missing required field', () => {
    const e = problemOf(GOOD.replace('title: Test\n', ''));
    expect([e.field, e.problem]).toEqual(['title', 'required (string)']);
  });

  it('names an unknown field', () => {
    const e = problemOf(GOOD.replace('cloud: aws', 'cloud: aws\nowner: me'));
    expect([e.field, e.problem]).toEqual(['', "unknown field 'owner'"]);
  });

  it('rejects a wrong type with its path', () => {
    const e = problemOf(GOOD.replace('source: [guardduty]', 'source: guardduty'));
    expect(e.field).toBe('match.source');
    expect(e.problem).toMatch(/expected array/);
  });

  it('rejects a target type the action cannot act on', () => {
    const e = problemOf(GOOD.replace('  - action: snapshot-volumes', '  - action: snapshot-volumes\n    targets: [AwsEc2Instance, AwsS3Bucket]'));
    expect(e.field).toBe('steps[1].targets[1]');
    expect(e.problem).toBe("unknown target type 'AwsS3Bucket' for snapshot-volumes; it acts on AwsEc2Instance");
  });

  it("rejects a step whose action's cloud is not the playbook's", () => {
    const e = problemOf(GOOD.replace('action: snapshot-volumes', 'action: quarantine-vm'));
    expect([e.field, e.problem]).toEqual(['steps[1].action', "quarantine-vm is an azure action; this playbook's cloud is aws"]);
  });

  it('accepts open-clock (a Cordon action) in either cloud', () => {
    expect(() => parsePlaybook(`${GOOD}  - action: open-clock\n`, 'x.yaml')).not.toThrow();
  });

  it('rejects a step limited to a source the playbook never matches', () => {
    const e = problemOf(`${GOOD}  - action: update-finding\n    sources: [securityhub]\n`);
    expect([e.field, e.problem]).toEqual(['steps[2].sources[0]', 'the playbook never matches securityhub findings (match.source: guardduty)']);
  });

  it('rejects a bad id', () => {
    expect(problemOf(GOOD.replace('id: test-ec2', 'id: Test EC2')).field).toBe('id');
  });
});

describe('playbook directories', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cordon-playbooks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a duplicate id on the later file and refuses to load', () => {
    writeFileSync(join(dir, 'a.yaml'), GOOD);
    writeFileSync(join(dir, 'b.yml'), GOOD);
    writeFileSync(join(dir, 'notes.txt'), 'not a playbook');
    expect(validatePlaybookDir(dir)).toEqual([
      { file: join(dir, 'a.yaml'), id: 'test-ec2', problems: [] },
      { file: join(dir, 'b.yml'), id: 'test-ec2', problems: [`id: duplicate playbook id 'test-ec2' (also in ${join(dir, 'a.yaml')})`] },
    ]);
    expect(() => loadPlaybooks(dir)).toThrow(new InputError(join(dir, 'b.yml'), 'id', `duplicate playbook id 'test-ec2' (also in ${join(dir, 'a.yaml')})`));
  });

  it('lists every problem of every file', () => {
    writeFileSync(join(dir, 'bad.yaml'), GOOD.replace('action: quarantine-instance', 'action: quarantine-host').replace('cloud: aws', 'cloud: gcp'));
    const [report] = validatePlaybookDir(dir);
    expect(report?.id).toBeUndefined();
    expect(report?.problems).toHaveLength(2);
    expect(report?.problems.join('\n')).toMatch(/cloud: unknown value 'gcp'; expected one of aws, azure/);
    expect(report?.problems.join('\n')).toMatch(/steps\[0\]\.action: unknown action 'quarantine-host'/);
    expect(() => loadPlaybooks(dir)).toThrow(InputError);
  });

  it('names a missing directory', () => {
    const missing = join(dir, 'nope');
    expect(() => loadPlaybooks(missing)).toThrow(new InputError(missing, '', 'cannot read the playbook directory (ENOENT)'));
  });

  it('reads files only: a directory named like a playbook is not one', () => {
    mkdirSync(join(dir, 'sub.yaml'));
    writeFileSync(join(dir, 'a.yaml'), GOOD);
    expect(loadPlaybooks(dir).map((p) => p.id)).toEqual(['test-ec2']);
  });
});

describe("the repository's playbooks", () => {
  it('is found from the module, whatever the working directory', () => {
    expect(readFileSync(join(defaultPlaybookDir(), 'aws-ec2-compromise.yaml'), 'utf8')).toMatch(/id: aws-ec2-compromise/);
  });

  it('validates cleanly and holds the six playbooks of DESIGN.md, and the manual subnet cut', () => {
    for (const report of validatePlaybookDir(defaultPlaybookDir())) expect(report.problems, report.file).toEqual([]);
    expect(loadPlaybooks().map((p) => p.id)).toEqual([
      'aws-ec2-compromise',
      'aws-ec2-subnet-cut',
      'aws-iam-credential-compromise',
      'aws-s3-data-exposure',
      'azure-identity-compromise',
      'azure-storage-exposure',
      'azure-vm-compromise',
    ]);
  });

  it('every playbook can open the GDPR clock; the exposure playbooks name their exposure types, the compromise playbooks their compromises', () => {
    const all = loadPlaybooks();
    expect(all.filter((p) => p.clocks.gdpr).map((p) => p.id)).toEqual(all.map((p) => p.id));
    expect(all.filter((p) => p.clocks.exposure).map((p) => p.id)).toEqual(['aws-iam-credential-compromise', 'aws-s3-data-exposure', 'azure-identity-compromise', 'azure-storage-exposure']);
    expect(all.filter((p) => p.clocks.compromise).map((p) => p.id)).toEqual(['aws-ec2-compromise', 'aws-ec2-subnet-cut', 'aws-iam-credential-compromise', 'azure-identity-compromise', 'azure-vm-compromise']);
    // Posture-only types are not exposure: Block Public Access turned off shows nobody reading anything.
    const s3 = all.find((p) => p.id === 'aws-s3-data-exposure');
    expect(s3?.clocks.exposure).not.toContain('Policy:S3/*');
  });
});
