import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createAzureClients, type AzureClients } from '../../adapters/azure/clients.js';
import { ingestValue } from '../../core/findings/ingest.js';
import type { Finding } from '../../core/model.js';
import { startSimulatedEstate, type EstateFile, type SimulatedEstate } from '../estate.js';
import { ISOLATION_RULES } from '../../actions/azure/quarantine-vm.js';
import { ownershipKeys } from './derive.js';

/**
 * The attacker model judged by Azure's and Entra's rules, driven through the real SDK clients.
 * Each rule has its twin: the same footholds under the weaker response stay open.
 */
const SUB = '20ff7fc3-e762-44dd-bd96-b71116dcdc23';
const RG = 'web';
const VM = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/vm1`;
const SA = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/llmtrainingdata`;
const USER = '6f4c2a3e-1b7d-4e5f-9a8c-2d3e4f5a6b7c';
const UPN = 'amy.ml@contoso.com';
const HOURS_AGO = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

function estateFile(footholds: EstateFile['footholds'], users: { roles?: string[] } = {}): EstateFile {
  return {
    azure: {
      vms: [{ id: VM }],
      storageAccounts: [{ id: SA }],
      users: [{ id: USER, userPrincipalName: UPN, ...users }],
    },
    footholds,
  };
}

const opened: SimulatedEstate[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close()));
});

async function open(file: EstateFile, findings: Finding[] = [], step = 'inc-1/quarantine-vm:vm1'): Promise<{ estate: SimulatedEstate; az: AzureClients }> {
  const estate = await startSimulatedEstate({ file, findings });
  opened.push(estate);
  return { estate, az: createAzureClients({ subscriptionId: SUB, endpoint: estate.url, stepId: step }) };
}

const footholdOf = (estate: SimulatedEstate, kind: string) => estate.attacker.footholds.find((f) => f.kind === kind);

async function isolate(az: AzureClients, flushConnection: boolean | undefined): Promise<void> {
  const nsg = await az.network.networkSecurityGroups.beginCreateOrUpdateAndWait(
    RG,
    'isolation',
    {
      location: 'westeurope',
      ...(flushConnection !== undefined ? { flushConnection } : {}),
      // The deny-all rules quarantine-vm applies; only flushConnection varies.
      securityRules: [...ISOLATION_RULES],
    },
    { updateIntervalInMs: 0 },
  );
  const nic = await az.network.networkInterfaces.get(RG, 'vm1-nic0');
  await az.network.networkInterfaces.beginCreateOrUpdateAndWait(RG, 'vm1-nic0', { ...nic, networkSecurityGroup: { id: nsg.id } }, { updateIntervalInMs: 0 });
}

describe('NSG flow re-evaluation (Azure)', () => {
  const c2 = { kind: 'connection' as const, instance: VM, remote: '203.0.113.9', port: 443, direction: 'outbound' as const };

  it('a deny-all NSG with flushConnection drops the established flow; closedBy names the step', async () => {
    const { estate, az } = await open(estateFile([c2]));
    expect(footholdOf(estate, 'connection')?.open).toBe(true);
    await isolate(az, true);
    expect(footholdOf(estate, 'connection')).toMatchObject({ open: false, closedBy: 'quarantine-vm', closedByCall: 'Microsoft.Network/networkInterfaces/write' });
    expect(footholdOf(estate, 'connection')?.until).toMatch(/re-evaluated the flow \(flushConnection\)/);
  });

  it('twin: the same NSG without flushConnection leaves the established flow up, and says what would close it', async () => {
    const { estate, az } = await open(estateFile([c2]));
    await isolate(az, undefined);
    const flow = footholdOf(estate, 'connection');
    expect(flow?.open).toBe(true);
    expect(flow?.until).toMatch(/flushConnection enabled whose rules deny 203\.0\.113\.9 .*without flushConnection/);
  });

  it('enabling flushConnection later re-evaluates (its initial enablement triggers it)', async () => {
    const { estate, az } = await open(estateFile([c2]));
    await isolate(az, false);
    expect(footholdOf(estate, 'connection')?.open).toBe(true);
    await isolate(az, true);
    expect(footholdOf(estate, 'connection')?.open).toBe(false);
  });

  it('re-evaluation keeps a flow the new rules still allow', async () => {
    const { estate, az } = await open(estateFile([c2]));
    const nsg = await az.network.networkSecurityGroups.beginCreateOrUpdateAndWait(RG, 'loose', { location: 'westeurope', flushConnection: true, securityRules: [] }, { updateIntervalInMs: 0 });
    const nic = await az.network.networkInterfaces.get(RG, 'vm1-nic0');
    await az.network.networkInterfaces.beginCreateOrUpdateAndWait(RG, 'vm1-nic0', { ...nic, networkSecurityGroup: { id: nsg.id } }, { updateIntervalInMs: 0 });
    // Azure's default AllowInternetOutBound still permits the outbound flow.
    expect(footholdOf(estate, 'connection')?.open).toBe(true);
  });
});

describe('Entra sessions and passwords', () => {
  const password = { kind: 'console-password' as const, user: UPN };

  it('disabling the account closes the password and the refresh token; revocation after it keeps them closed', async () => {
    const { estate, az } = await open(estateFile([password, { kind: 'refresh-token', user: UPN, issuedAt: HOURS_AGO(3) }]), [], 'inc-1/disable-user:amy');
    await az.graph.api(`/users/${USER}`).patch({ accountEnabled: false });
    expect(footholdOf(estate, 'console-password')).toMatchObject({ open: false, closedBy: 'disable-user', closedByCall: 'graph:updateUser' });
    expect(footholdOf(estate, 'refresh-token')).toMatchObject({ open: false, closedBy: 'disable-user' });
    expect(footholdOf(estate, 'refresh-token')?.until).toMatch(/no token refresh.*access token expired/);
  });

  it('twin: revoking sessions without disabling ends the refresh token but leaves the password open', async () => {
    const { estate, az } = await open(estateFile([password, { kind: 'refresh-token', user: UPN, issuedAt: HOURS_AGO(3) }]), [], 'inc-1/revoke-user-sessions:amy');
    await az.graph.api(`/users/${USER}/revokeSignInSessions`).post({});
    expect(footholdOf(estate, 'refresh-token')).toMatchObject({ open: false, closedBy: 'revoke-user-sessions' });
    expect(footholdOf(estate, 'console-password')).toMatchObject({ open: true });
    expect(footholdOf(estate, 'console-password')?.until).toMatch(/accountEnabled false .*or its password reset/);
  });

  it('an access token minted minutes ago outlives disable and revoke until it expires; CAE rejects it at once (twin)', async () => {
    const recent = { kind: 'refresh-token' as const, user: UPN, issuedAt: HOURS_AGO(0.25) };
    const { estate, az } = await open(estateFile([recent, { ...recent, id: 'amy-cae', cae: true }]));
    await az.graph.api(`/users/${USER}`).patch({ accountEnabled: false });
    await az.graph.api(`/users/${USER}/revokeSignInSessions`).post({});
    const [plain, cae] = estate.attacker.footholds;
    expect(plain?.open).toBe(true);
    expect(plain?.until).toMatch(/access token minted at .* expires at .*Continuous Access Evaluation/);
    expect(cae?.open).toBe(false);
  });

  it('an administrator password reset closes the password (and revokes refresh tokens)', async () => {
    const { estate, az } = await open(estateFile([password, { kind: 'refresh-token', user: UPN, issuedAt: HOURS_AGO(3) }]));
    await az.graph.api(`/users/${USER}`).patch({ passwordProfile: { password: 'Cordon-reset-8f2a!', forceChangePasswordNextSignIn: true } });
    expect(estate.attacker.footholds.map((f) => f.open)).toEqual([false, false]);
  });

  it('Graph refuses to disable a user in a privileged admin role: 403 Authorization_RequestDenied, foothold open', async () => {
    const { estate, az } = await open(estateFile([password], { roles: ['Global Administrator'] }));
    const error = await az.graph.api(`/users/${USER}`).patch({ accountEnabled: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 403, code: 'Authorization_RequestDenied' });
    expect(estate.azure.users.get(USER)?.accountEnabled).toBe(true);
    expect(footholdOf(estate, 'console-password')?.open).toBe(true);
  });
});

describe('storage keys', () => {
  it('both keys regenerated and shared-key access off closes it; one key, or keys without disabling shared key, leave it open (twins)', async () => {
    const { estate, az } = await open(estateFile([{ kind: 'storage-key', account: SA, via: 'sas' }]), [], 'inc-1/rotate-storage-keys:sa');
    await az.storage.storageAccounts.regenerateKey(RG, 'llmtrainingdata', { keyName: 'key1' });
    expect(footholdOf(estate, 'storage-key')?.until).toMatch(/key2 regenerated/);
    await az.storage.storageAccounts.regenerateKey(RG, 'llmtrainingdata', { keyName: 'key2' });
    expect(footholdOf(estate, 'storage-key')).toMatchObject({ open: true, until: expect.stringMatching(/^allowSharedKeyAccess false/) });
    await az.storage.storageAccounts.update(RG, 'llmtrainingdata', { allowSharedKeyAccess: false });
    expect(estate.azure.storageAccounts.get(SA.toLowerCase())?.allowSharedKeyAccess).toBe(false);
    expect(footholdOf(estate, 'storage-key')).toMatchObject({ open: false, closedBy: 'rotate-storage-keys' });
  });
});

describe('footholds derived from Defender and Graph alerts (DESIGN §8)', () => {
  const fixture = (path: string) => JSON.parse(readFileSync(new URL(`../../../test/fixtures/${path}`, import.meta.url), 'utf8')) as unknown;
  const findingOf = (raw: unknown): Finding => {
    const [first] = ingestValue(raw, 'test').findings;
    if (!first) throw new Error('fixture did not ingest');
    return first.finding;
  };

  it('a Graph alert marking a user compromised: the password and the refresh token, owned by the incident', async () => {
    const finding = findingOf(fixture('graph/derived-user-credential-access.json'));
    const { estate } = await open({}, [finding]);
    expect(estate.attacker.footholds.map((f) => [f.kind, f.cloud])).toEqual([
      ['console-password', 'azure'],
      ['refresh-token', 'azure'],
    ]);
    const verdict = estate.attacker.verdict(ownershipKeys(finding));
    expect(verdict.open).toBe(2);
  });

  it("a Defender alert's ip entity on a VM: the flow to that address", async () => {
    const finding = findingOf(fixture('defender/alert-subscription-location.json'));
    const { estate } = await open({}, [finding]);
    expect(estate.attacker.footholds).toEqual([expect.objectContaining({ kind: 'connection', cloud: 'azure', id: 'vm1 → 192.0.2.1/tcp', open: true })]);
    expect(estate.attacker.verdict(ownershipKeys(finding)).open).toBe(1);
  });
});
