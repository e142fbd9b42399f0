import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The Bicep CLI is not on npm or apt, so the templates cannot be compiled here: their security
 * settings are pinned by reading the template text, resource by resource.
 */
const main = readFileSync(join(import.meta.dirname, 'main.bicep'), 'utf8');
const runner = readFileSync(join(import.meta.dirname, 'runner.bicep'), 'utf8');

/** The body of `resource NAME '…' = … { … }` up to the next top-level resource, output or comment block. */
function resourceBlock(text: string, name: string): string {
  const start = text.search(new RegExp(`^resource ${name} '`, 'm'));
  expect(start, `resource ${name}`).toBeGreaterThanOrEqual(0);
  const rest = text.slice(start + 1);
  const end = rest.search(/^(resource|output|param|var|\/\/) /m);
  return text.slice(start, end < 0 ? undefined : start + 1 + end);
}

describe('Azure templates: security settings', () => {
  it('the alerts topic takes no access keys and has no public endpoint; one named publisher may send, on that topic only', () => {
    const topic = resourceBlock(runner, 'alerts');
    expect(topic).toMatch(/disableLocalAuth: true/);
    expect(topic).toMatch(/publicNetworkAccess: 'Disabled'/);
    const publisher = resourceBlock(runner, 'alertPublisher');
    expect(publisher).toMatch(/scope: alerts\n/);
    expect(publisher).toMatch(/roleDefinitions', eventGridDataSender\)/);
    expect(runner).toMatch(/var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7'/);
  });

  it('the runner has its own managed identity, HTTPS only, TLS 1.2, no FTP, and its secret from Key Vault', () => {
    const app = resourceBlock(runner, 'app');
    expect(app).toMatch(/identity: \{ type: 'SystemAssigned' \}/);
    expect(app).toMatch(/httpsOnly: true/);
    expect(app).toMatch(/minTlsVersion: '1\.2'/);
    expect(app).toMatch(/ftpsState: 'Disabled'/);
    expect(app).toMatch(/CORDON_RUNNER_SECRET', value: '@Microsoft\.KeyVault\(/);
  });

  it("the runner's response role is the catalog's custom role, assignable only in this subscription, assigned to the runner alone; no built-in Owner or Contributor anywhere", () => {
    const role = resourceBlock(main, 'responderRole');
    expect(role).toMatch(/type: 'CustomRole'/);
    expect(role).toMatch(/actions: role\.Actions/);
    expect(role.replace(/\s+/g, ' ')).toMatch(/assignableScopes: \[ subscription\(\)\.id \]/);
    const assignment = resourceBlock(main, 'responderAssignment');
    expect(assignment).toMatch(/roleDefinitionId: responderRole\.id/);
    expect(assignment).toMatch(/principalId: runner\.outputs\.principalId/);
    for (const builtIn of ['8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'b24988ac-6180-42a0-ab88-20f7382dd24c']) {
      expect(main + runner).not.toContain(builtIn);
    }
  });

  it('role assignments of the runner are scoped to the one resource they serve', () => {
    expect(resourceBlock(runner, 'hostStorageAccess')).toMatch(/scope: storage\n/);
    expect(resourceBlock(runner, 'secretAccess')).toMatch(/scope: runnerSecret\n/);
  });
});
