import type { Finding, Severity } from '../model.js';
import { SEVERITIES } from '../model.js';
import { compileGlobs } from './glob.js';
import type { GlobMatcher } from './glob.js';
import type { Playbook, PlaybookMatch } from './schema.js';

/**
 * Routing: the first playbook (by priority, then id) whose match accepts the finding.
 * Archived, resolved, suppressed and PASSED findings match nothing, whatever a playbook asks.
 */
export type Router = (finding: Finding) => Playbook | null;

const SEVERITY_RANK: Readonly<Record<Severity, number>> = Object.fromEntries(
  SEVERITIES.map((s, i) => [s, i]),
) as Record<Severity, number>;

/** A finding in one of these states is closed business: no playbook may act on it. */
export function isTerminal(finding: Finding): boolean {
  return (
    finding.recordState === 'archived' ||
    finding.workflowStatus === 'resolved' ||
    finding.workflowStatus === 'suppressed' ||
    finding.complianceStatus === 'passed'
  );
}

type Predicate = (finding: Finding) => boolean;

function compileMatch(match: PlaybookMatch): Predicate {
  const sources = new Set<string>(match.source);
  const types = match.types ? compileGlobs(match.types) : null;
  const controls = match.controls ? new Set(match.controls) : null;
  const floor = SEVERITY_RANK[match.minSeverity];
  const floors: { matches: GlobMatcher; rank: number }[] = (match.severityFloors ?? []).map((f) => ({
    matches: compileGlobs(f.types),
    rank: SEVERITY_RANK[f.minSeverity],
  }));
  const resourceTypes = match.resourceTypes ? new Set<string>(match.resourceTypes) : null;
  // Finding fields are lower-case, playbook values are the ASFF upper-case spelling.
  const compliance = match.complianceStatus ? new Set<string>(match.complianceStatus.map((s) => s.toLowerCase())) : null;
  const recordStates = new Set<string>(match.recordState.map((s) => s.toLowerCase()));
  const workflowStatuses = new Set<string>(match.workflowStatus.map((s) => s.toLowerCase()));

  return (finding) => {
    if (!sources.has(finding.source)) return false;
    // Types and controls both identify what the finding is about: when a playbook names both,
    // either one is enough (GuardDuty S3 types or Security Hub S3 controls).
    if (types || controls) {
      const byType = types !== null && types(finding.type);
      const byControl = controls !== null && finding.control !== undefined && controls.has(finding.control);
      if (!byType && !byControl) return false;
    }
    const rank = SEVERITY_RANK[finding.severity];
    if (rank < floor) return false;
    for (const f of floors) if (f.matches(finding.type) && rank < f.rank) return false;
    if (resourceTypes && !finding.resources.some((r) => resourceTypes.has(r.type))) return false;
    // Lifecycle filters apply to findings that carry the field; threat detections have no compliance status.
    if (compliance && finding.complianceStatus !== undefined && !compliance.has(finding.complianceStatus)) return false;
    if (finding.recordState !== undefined && !recordStates.has(finding.recordState)) return false;
    if (finding.workflowStatus !== undefined && !workflowStatuses.has(finding.workflowStatus)) return false;
    return true;
  };
}

export function byPriority(a: Playbook, b: Playbook): number {
  return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Compile once, route many: globs and sets are built here, not per finding. */
export function compileRouter(playbooks: readonly Playbook[]): Router {
  const ordered = [...playbooks].sort(byPriority).map((playbook) => ({ playbook, accepts: compileMatch(playbook.match) }));
  return (finding) => {
    if (isTerminal(finding)) return null;
    for (const { playbook, accepts } of ordered) if (accepts(finding)) return playbook;
    return null;
  };
}

const routers = new WeakMap<readonly Playbook[], Router>();

/** Convenience over `compileRouter`: the compiled router is cached per playbook list. */
export function routeFinding(finding: Finding, playbooks: readonly Playbook[]): Playbook | null {
  let router = routers.get(playbooks);
  if (!router) {
    router = compileRouter(playbooks);
    routers.set(playbooks, router);
  }
  return router(finding);
}
