import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_CATALOG } from '../../functions/core/actions/catalog.js';
import { permissionNames } from '../../functions/core/actions/types.js';
import { PROJECT_ROOT } from '../app.js';
import { azureRbacOperations, graphAppRoles, renderRoleDefinition, ROLE_DEFINITION_FILE } from './role-definition.js';

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');

describe('Azure custom role generated from the action catalog', () => {
  it('is checked in exactly as generated (run: node --import tsx infra/bin/generate-azure-role.ts)', () => {
    expect(read(ROLE_DEFINITION_FILE)).toBe(renderRoleDefinition());
  });

  it('holds exactly the RBAC operations the azure actions declare, no wildcards, no Graph permissions', () => {
    const declared = Object.values(ACTION_CATALOG)
      .filter((spec) => spec.cloud === 'azure')
      .flatMap(permissionNames)
      .filter((p) => p.startsWith('Microsoft.'));
    const role = JSON.parse(read(ROLE_DEFINITION_FILE)) as { Actions: string[]; DataActions: string[] };
    expect(role.Actions).toEqual([...new Set(declared)].sort());
    expect(role.Actions).toEqual(azureRbacOperations());
    expect(role.DataActions).toEqual([]);
    for (const op of role.Actions) expect(op).not.toContain('*');
    expect(role.Actions).toContain('Microsoft.Network/networkSecurityGroups/join/action');
  });

  it('leaves Graph permissions to an admin grant documented in the README', () => {
    expect(graphAppRoles()).toContain('User.RevokeSessions.All');
    const grantLoop = /for PERMISSION in ([^;]+);/.exec(read('infra/README.md'))?.[1]?.split(/\s+/).sort();
    expect(grantLoop).toEqual(graphAppRoles());
  });

  it('is what main.bicep deploys, and the example parameters match main.bicep', () => {
    const bicep = read('infra/azure/main.bicep');
    expect(bicep).toContain("loadJsonContent('cordon-responder-role.json')");
    expect(bicep).toMatch(/assignableScopes: \[\s*subscription\(\)\.id\s*\]/);
    const declared = [...bicep.matchAll(/^param (\w+) /gm)].map((m) => m[1]);
    const example = JSON.parse(read('infra/azure/main.parameters.example.json')) as { parameters: Record<string, unknown> };
    for (const name of Object.keys(example.parameters)) expect(declared).toContain(name);
  });
});
