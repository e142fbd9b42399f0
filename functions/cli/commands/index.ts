import type { Command } from '../io.js';
import { approveCommand, rejectCommand } from './approve.js';
import { auditCommand } from './audit.js';
import { clocksCommand } from './clocks.js';
import { planCommand } from './plan.js';
import { playbooksCommand } from './playbooks.js';
import { runCommand } from './run.js';
import { tabletopCommand } from './tabletop.js';

export const COMMANDS: readonly Command[] = [planCommand, tabletopCommand, runCommand, playbooksCommand, clocksCommand, approveCommand, rejectCommand, auditCommand];
