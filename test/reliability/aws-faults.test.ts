import { faultMatrix } from './fault-matrix.js';

faultMatrix(['quarantine-instance', 'snapshot-volumes', 'update-finding', 'revoke-role-sessions', 'deactivate-access-key', 'block-s3-public-access']);
