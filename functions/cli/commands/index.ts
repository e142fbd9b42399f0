import type { Command } from '../io.js';

/**
 * The command table. Each command loads only when it runs, so `cordon plan` never pays for the
 * SDKs, the simulated estate or the workflow interpreter that `cordon tabletop` needs.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'plan', summary: 'Ingest findings, match playbooks and show the steps and clocks — no side effects', load: async () => (await import('./plan.js')).planCommand },
  { name: 'tabletop', summary: 'Replay findings against the simulated estate; print the timeline; write an after-action report', load: async () => (await import('./tabletop.js')).tabletopCommand },
  { name: 'run', summary: 'Invoke a playbook by hand on one target — a dry run unless --execute', load: async () => (await import('./run.js')).runCommand },
  { name: 'release', summary: 'Audited undo of an incident\'s steps from the before-states in the audit log — a dry run unless --execute', load: async () => (await import('./release.js')).releaseCommand },
  { name: 'playbooks', summary: 'List, validate or compile the playbooks to Amazon States Language', load: async () => (await import('./playbooks.js')).playbooksCommand },
  { name: 'clocks', summary: 'Regulatory clocks (GDPR Art. 33/34, NIS2 Art. 23): list, record a notification or a not-notifiable decision, correct awareness', load: async () => (await import('./clocks.js')).clocksCommand },
  { name: 'register', summary: 'The breach register (GDPR Art. 33(5)): every incident\'s assessment and decision', load: async () => (await import('./register.js')).registerCommand },
  { name: 'approve', summary: 'Approve the steps of an incident waiting for a person', load: async () => (await import('./approve.js')).approveCommand },
  { name: 'reject', summary: 'Reject the steps of an incident waiting for a person (with a reason)', load: async () => (await import('./approve.js')).rejectCommand },
  { name: 'pause', summary: 'Kill switch: stop all automatic action (every intake is recorded as paused)', load: async () => (await import('./pause.js')).pauseCommand },
  { name: 'resume', summary: 'End a pause: automatic action resumes', load: async () => (await import('./pause.js')).resumeCommand },
  { name: 'audit', summary: 'Verify the hash-chained audit log', load: async () => (await import('./audit.js')).auditCommand },
];
