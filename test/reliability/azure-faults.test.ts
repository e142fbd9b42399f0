import { faultMatrix } from './fault-matrix.js';

faultMatrix(['quarantine-vm', 'snapshot-disks', 'update-alert', 'block-storage-public-access', 'revoke-user-sessions']);
