import { ACTION_CATALOG } from '../../functions/core/actions/catalog.js';
import { permissionNames } from '../../functions/core/actions/types.js';
import { GRAPH_ALERT_READ } from '../../functions/adapters/azure/graph-alerts.js';

/** Where the generated custom role lives; main.bicep loads it with loadJsonContent. */
export const ROLE_DEFINITION_FILE = 'infra/azure/cordon-responder-role.json';

/** A custom role in the `az role definition create --role-definition` format. */
export interface AzureRoleDefinition {
  Name: string;
  IsCustom: true;
  Description: string;
  Actions: string[];
  NotActions: string[];
  DataActions: string[];
  NotDataActions: string[];
  AssignableScopes: string[];
}

const azurePermissions = () =>
  Object.values(ACTION_CATALOG)
    .filter((spec) => spec.cloud === 'azure')
    .flatMap(permissionNames);

/** Exactly the Azure RBAC operations the azure actions declare (Graph permissions are not RBAC). */
export function azureRbacOperations(): string[] {
  return [...new Set(azurePermissions().filter((p) => !p.startsWith('graph:')))].sort();
}

/**
 * Microsoft Graph application permissions the Function App needs, granted by an admin: those the
 * azure actions declare (`graph:<permission>`) and the ingest's read of the alerts Graph notifications announce.
 */
export function graphAppRoles(): string[] {
  return [...new Set([...azurePermissions().filter((p) => p.startsWith('graph:')).map((p) => p.slice('graph:'.length)), GRAPH_ALERT_READ])].sort();
}

export function cordonResponderRole(): AzureRoleDefinition {
  return {
    Name: 'Cordon Responder',
    IsCustom: true,
    Description: 'Cordon incident response: exactly the operations its Azure actions declare (generated from functions/core/actions/catalog.ts).',
    Actions: azureRbacOperations(),
    NotActions: [],
    DataActions: [],
    NotDataActions: [],
    // main.bicep replaces this with the subscription it deploys to; az needs a concrete scope.
    AssignableScopes: ['/subscriptions/00000000-0000-0000-0000-000000000000'],
  };
}

export function renderRoleDefinition(): string {
  return `${JSON.stringify(cordonResponderRole(), null, 2)}\n`;
}
