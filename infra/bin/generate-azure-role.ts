import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../app.js';
import { renderRoleDefinition, ROLE_DEFINITION_FILE } from '../azure/role-definition.js';

/** Regenerates infra/azure/cordon-responder-role.json from the action catalog (a test checks it is in sync). */
writeFileSync(join(PROJECT_ROOT, ROLE_DEFINITION_FILE), renderRoleDefinition());
console.log(`wrote ${ROLE_DEFINITION_FILE}`);
