import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cordon, FIXTURES } from './harness.js';

/**
 * Issue 12, done when (Azure): a tabletop on a finding plus an estate holding the attacker's
 * footholds ends with every foothold closed and `contained`; the same scenario with the old
 * behaviour (session revocation without disabling) leaves a foothold open. The flow twin (an
 * isolation NSG without flushConnection) is pinned through the SDK in attacker-azure.test.ts.
 */
const SUB = '20ff7fc3-e762-44dd-bd96-b71116dcdc23';
const VM1 = `/subscriptions/${SUB}/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1`;
const USER = '6f4c2a3e-1b7d-4e5f-9a8c-2d3e4f5a6b7c';
const UPN = 'amy.ml@contoso.com';

interface Foothold { kind: string; id: string; open: boolean; closedBy?: string; until?: string }
interface Doc {
  incidents: { playbook: string | null; status: string; escalated: boolean; eviction: { footholds: Foothold[]; open: number }; steps: { action: string; status: string; reason?: string }[] }[];
}

function estate(content: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-estate-'));
  const file = join(dir, 'estate.yaml');
  writeFileSync(file, stringify(content));
  return file;
}

async function tabletop(findings: string[], estateFile: string, extra: string[] = []): Promise<Doc> {
  const r = await cordon(['tabletop', '--json', '--estate', estateFile, ...extra, ...findings]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Doc;
}

// Sessions valid since before the alert (2021): the ones it saw are live.
const amy = { id: USER, userPrincipalName: UPN, signInSessionsValidFromDateTime: '2021-01-01T00:00:00Z' };
const entra = (users: object[] = [amy]) =>
  estate({
    azure: { users },
    footholds: [
      { kind: 'console-password', user: UPN, cloud: 'azure' },
      // A session the attacker last used hours ago: its access token has expired by now.
      { kind: 'refresh-token', user: UPN, issuedAt: new Date(Date.now() - 3 * 3_600_000).toISOString() },
    ],
  });
const identityAlert = join(FIXTURES, 'graph/derived-user-credential-access.json');

describe('eviction on Azure (tabletop)', () => {
  it('a VM with an established flow: quarantine-vm (flushConnection) drops it, eviction.open = 0, contained', async () => {
    const file = estate({
      azure: { vms: [{ id: VM1, location: 'westeurope' }] },
      footholds: [{ kind: 'connection', instance: VM1, remote: '203.0.113.9', port: 22, direction: 'inbound' }],
    });
    const doc = await tabletop([join(FIXTURES, 'defender/alert.cloudevent.json')], file);
    const [incident] = doc.incidents;
    expect(incident?.playbook).toBe('azure-vm-compromise');
    expect(incident?.eviction.open).toBe(0);
    // The estate file's flow and the one derived from the alert's ip entity (192.0.2.1).
    expect(incident?.eviction.footholds).toEqual([
      expect.objectContaining({ kind: 'connection', id: 'vm1 ← 203.0.113.9:22/tcp', open: false, closedBy: 'quarantine-vm' }),
      expect.objectContaining({ kind: 'connection', id: 'vm1 → 192.0.2.1/tcp', open: false, closedBy: 'quarantine-vm' }),
    ]);
    expect(incident?.status).toBe('contained');
  });

  it('an Entra user with a password and a refresh token: disabled, then signed out, contained', async () => {
    const doc = await tabletop([identityAlert], entra());
    const [incident] = doc.incidents;
    expect(incident?.steps.map((s) => [s.action, s.status])).toEqual([
      ['disable-user', 'succeeded'],
      ['revoke-user-sessions', 'succeeded'],
    ]);
    expect(incident?.eviction).toEqual({
      footholds: [
        expect.objectContaining({ kind: 'console-password', open: false, closedBy: 'disable-user' }),
        expect.objectContaining({ kind: 'refresh-token', open: false, closedBy: 'disable-user' }),
      ],
      open: 0,
    });
    expect(incident?.status).toBe('contained');
  });

  it('twin: session revocation without disabling (the old playbook) leaves the password open: partially contained', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-playbooks-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'azure-identity-compromise.yaml'),
      stringify({ id: 'azure-identity-compromise', title: 'old', description: 'revoke only', priority: 200, cloud: 'azure', match: { source: ['defender'], minSeverity: 'medium', resourceTypes: ['Microsoft.Graph/users'] }, steps: [{ action: 'revoke-user-sessions' }] }),
    );
    const doc = await tabletop([identityAlert], entra(), ['--playbooks', dir]);
    const [incident] = doc.incidents;
    expect(incident?.eviction.footholds).toEqual([
      expect.objectContaining({ kind: 'console-password', open: true, until: expect.stringMatching(/accountEnabled false/) }),
      expect.objectContaining({ kind: 'refresh-token', open: false, closedBy: 'revoke-user-sessions' }),
    ]);
    expect(incident?.status).toBe('partially-contained');
  });

  it('a privileged user Graph refuses to disable: the step fails with guidance, the password stays open, the incident escalates', async () => {
    const doc = await tabletop([identityAlert], entra([{ ...amy, roles: ['Global Administrator'] }]));
    const [incident] = doc.incidents;
    expect(incident?.steps[0]).toMatchObject({ action: 'disable-user', status: 'failed' });
    expect(incident?.steps[1]).toMatchObject({ action: 'revoke-user-sessions', status: 'succeeded' });
    expect(incident?.eviction.footholds.find((f) => f.kind === 'console-password')?.open).toBe(true);
    expect(incident?.escalated).toBe(true);
    expect(incident?.status).not.toBe('contained');
  });
});

describe('storage reached by key or SAS', () => {
  it('rotate-storage-keys waits for approval, then both keys and shared key go: the SAS foothold closes, contained; rejected: open (twin)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-sas-'));
    const alert = JSON.parse(readFileSync(join(FIXTURES, 'defender/derived-storage-anonymous-access.json'), 'utf8')) as { properties: Record<string, unknown> };
    // Defender for Storage names how the request was authorized ("Authentication type").
    alert.properties = { ...alert.properties, alertType: 'Storage.Blob_GeoAnomaly', extendedProperties: { 'Authentication type': 'Shared access signature (SAS)' } };
    const file = join(dir, 'storage-sas.json');
    writeFileSync(file, JSON.stringify(alert));
    const approved = await tabletop([file], estate({}));
    const [incident] = approved.incidents;
    expect(incident?.steps.find((s) => s.action === 'rotate-storage-keys')).toMatchObject({ status: 'succeeded' });
    expect(incident?.eviction.footholds).toEqual([expect.objectContaining({ kind: 'storage-key', id: 'llmtrainingdata:sas', open: false, closedBy: 'rotate-storage-keys' })]);
    expect(incident?.status).toBe('contained');

    const rejected = await tabletop([file], estate({}), ['--approvals', 'reject']);
    expect(rejected.incidents[0]?.steps.find((s) => s.action === 'rotate-storage-keys')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^rejected/) });
    expect(rejected.incidents[0]?.eviction.open).toBe(1);
    expect(rejected.incidents[0]?.status).not.toBe('contained');
  });
});

describe('routing and ambiguity', () => {
  it('a Graph (Defender XDR) alert naming an Azure VM routes to azure-vm-compromise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-graph-vm-'));
    const alert = JSON.parse(JSON.stringify(await import('../fixtures/graph/alert-get.json', { with: { type: 'json' } }).then((m) => m.default))) as Record<string, unknown>;
    // The published example is Low (left to people); the same alert rated High must isolate the VM.
    writeFileSync(join(dir, 'graph-vm-high.json'), JSON.stringify({ ...alert, severity: 'high' }));
    const r = await cordon(['plan', '--json', join(dir, 'graph-vm-high.json')]);
    const plan = JSON.parse(r.stdout) as { incidents: { playbook: string | null; steps: { action: string; target: string }[] }[] };
    expect(plan.incidents[0]?.playbook).toBe('azure-vm-compromise');
    expect(plan.incidents[0]?.steps.map((s) => s.action)).toContain('quarantine-vm');
  });

  it('an alert whose identifiers disagree (vm1 and vm2) flags vm2 and makes its steps wait for a person', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cordon-home-'));
    copyFileSync(join(FIXTURES, 'defender/alert-suspicious-screensaver.json'), join(home, 'alert.json'));
    const r = await cordon(['plan', join(home, 'alert.json')], { home });
    expect(r.stdout).toMatch(/quarantine-vm\s+\S*vm2\s+required \(the alert's identifiers disagree: resourceIdentifiers names vm1, another field names vm2\)/);
    expect(r.stdout).toMatch(/quarantine-vm\s+\S*vm1\s*\n/);
  });
});

describe('the default scenario (npm start)', () => {
  it('its Azure incidents list the footholds they closed', async () => {
    const r = await cordon(['tabletop', '--scenario', 'default', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc & { report: { markdown: string } };
    const azure = doc.incidents.filter((i) => i.playbook?.startsWith('azure-'));
    expect(azure.map((i) => i.playbook).sort()).toEqual(['azure-identity-compromise', 'azure-storage-exposure', 'azure-vm-compromise']);
    for (const incident of azure) {
      expect(incident.eviction.footholds.length).toBeGreaterThan(0);
      expect(incident.eviction.open).toBe(0);
    }
    const closed = azure.flatMap((i) => i.eviction.footholds.map((f) => `${f.kind} ${f.id} ${f.closedBy ?? 'open'}`));
    expect(closed).toEqual(
      expect.arrayContaining([
        'connection vm1 → 192.0.2.1/tcp quarantine-vm',
        'public-read llmtrainingdata (public blob access) block-storage-public-access',
        'console-password amy.ml@contoso.com:password disable-user',
        'refresh-token amy.ml@contoso.com:refresh-token disable-user',
      ]),
    );
    const markdown = readFileSync(doc.report.markdown, 'utf8');
    expect(markdown).toContain('connection vm1 → 192.0.2.1/tcp (closed by quarantine-vm)');
    expect(markdown).toContain('console-password amy.ml@contoso.com:password (closed by disable-user)');
  });
});

describe('a Defender XDR alert (Graph) on an Azure VM with a compromised user', () => {
  it('isolates the VM and disables and signs out the user: every foothold closed, contained', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-graph-vm-user-'));
    const alert = JSON.parse(readFileSync(join(FIXTURES, 'graph/alert-get.json'), 'utf8')) as { evidence: unknown[] } & Record<string, unknown>;
    const user = (JSON.parse(readFileSync(identityAlert, 'utf8')) as { evidence: unknown[] }).evidence[0];
    const ip = { '@odata.type': '#microsoft.graph.security.ipEvidence', ipAddress: '203.0.113.77', roles: [], tags: [] };
    const file = join(dir, 'graph-vm-user.json');
    writeFileSync(file, JSON.stringify({ ...alert, severity: 'high', evidence: [...alert.evidence, user, ip] }));
    const doc = await tabletop([file], entra());
    const [incident] = doc.incidents;
    expect(incident?.playbook).toBe('azure-vm-compromise');
    expect(incident?.eviction.footholds.map((f) => [f.kind, f.open, f.closedBy]).sort()).toEqual([
      ['connection', false, 'quarantine-vm'],
      ['console-password', false, 'disable-user'],
      ['refresh-token', false, 'disable-user'],
    ]);
    expect(incident?.status).toBe('contained');
  });
});
