import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvidenceItem } from '../core/actions/types.js';
import { canonicalJson, sha256Hex } from '../core/canonical-json.js';
import type { IngestedFinding, Mode } from '../core/model.js';
import { withFileLock } from './file-lock.js';
import { assertIncidentId } from './paths.js';
import { makePrivateDir, writePrivateFile } from './private-fs.js';

/**
 * The evidence manifest, one per incident at `$CORDON_HOME/evidence/<incident>.json`: what a
 * forensic analyst needs to start (the finding as received, snapshots, isolation details,
 * original configurations) and the chain of custody (who or what did what, when, and the audit
 * record that recorded it). Written atomically (temp file + rename) under a lock file, so a
 * reader never sees half a file and two processes never lose each other's additions.
 */
export interface EvidenceManifest {
  incident: string;
  finding?: ReceivedFinding;
  snapshots: EvidenceItem[];
  isolation: EvidenceItem[];
  originalConfigurations: EvidenceItem[];
  custody: CustodyEntry[];
  updatedAt: string;
}

export interface ReceivedFinding {
  id: string;
  source: string;
  /** SHA-256 (hex) of the raw event as received. */
  rawSha256: string;
  origin: string;
  receivedAt: string;
}

export interface CustodyEntry {
  at: string;
  /** `cordon/<mode>` for Cordon's own steps; a person's name or address otherwise. */
  actor: string;
  /** What was done: `received finding`, a step id, `notification recorded` … */
  action: string;
  /** Evidence item ids this entry created or handled. */
  items: string[];
  /** Hash of the audit record that recorded it. */
  auditHash: string;
}

export const cordonActor = (mode: Mode): string => `cordon/${mode}`;

const SECTION: Record<EvidenceItem['kind'], 'snapshots' | 'isolation' | 'originalConfigurations'> = {
  'ebs-snapshot': 'snapshots',
  'disk-snapshot': 'snapshots',
  isolation: 'isolation',
  'session-revocation': 'isolation',
  'original-config': 'originalConfigurations',
};

export class EvidenceStore {
  private readonly dir: string;

  constructor(home: string) {
    this.dir = join(home, 'evidence');
  }

  /** The manifest's path; refuses anything that is not an incident id (no path traversal). */
  pathOf(incident: string): string {
    return join(this.dir, `${assertIncidentId(incident)}.json`);
  }

  read(incident: string): EvidenceManifest | undefined {
    try {
      return JSON.parse(readFileSync(this.pathOf(incident), 'utf8')) as EvidenceManifest;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** The finding as received; the first receipt is kept (a redelivery adds only a custody entry). */
  recordFinding(incident: string, ingested: IngestedFinding, receipt: { receivedAt: string; actor: string; auditHash: string }): Promise<EvidenceManifest> {
    return this.update(incident, receipt.receivedAt, (m) => {
      m.finding ??= {
        id: ingested.finding.id,
        source: ingested.finding.source,
        rawSha256: ingested.rawSha256,
        origin: ingested.origin,
        receivedAt: receipt.receivedAt,
      };
      addCustody(m, { at: receipt.receivedAt, actor: receipt.actor, action: `received finding ${ingested.finding.id} from ${ingested.origin}`, items: [ingested.rawSha256], auditHash: receipt.auditHash });
    });
  }

  /** Evidence a step produced (snapshots, isolation, original configuration) and its custody entry. */
  recordStep(incident: string, step: { stepId: string; actor: string; at: string; items: readonly EvidenceItem[]; auditHash: string }): Promise<EvidenceManifest> {
    return this.update(incident, step.at, (m) => {
      for (const item of step.items) {
        const section = m[SECTION[item.kind]];
        // Idempotent: the same item recorded twice (a redelivery) is kept once; a later recording
        // (the snapshot now locked, or copied) completes the earlier one, never drops what it said.
        const at = section.findIndex((known) => known.kind === item.kind && known.id === item.id);
        if (at < 0) section.push(item);
        else section[at] = mergeItem(section[at] as EvidenceItem, item);
      }
      addCustody(m, { at: step.at, actor: step.actor, action: step.stepId, items: step.items.map((i) => i.id), auditHash: step.auditHash });
    });
  }

  /** SHA-256 (hex) of the manifest's canonical JSON: what the audit chain records, so a later edit of the file shows. */
  digest(incident: string): string | undefined {
    const manifest = this.read(incident);
    return manifest ? manifestDigest(manifest) : undefined;
  }

  /** A person's handling of the evidence (export, hand-over to forensics …). */
  recordCustody(incident: string, entry: CustodyEntry): Promise<EvidenceManifest> {
    return this.update(incident, entry.at, (m) => addCustody(m, entry));
  }

  private async update(incident: string, at: string, change: (m: EvidenceManifest) => void): Promise<EvidenceManifest> {
    const path = this.pathOf(incident);
    makePrivateDir(this.dir);
    return withFileLock(`${path}.lock`, () => {
      const manifest = this.read(incident) ?? { incident, snapshots: [], isolation: [], originalConfigurations: [], custody: [], updatedAt: at };
      change(manifest);
      manifest.updatedAt = at;
      writePrivateFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
      return manifest;
    });
  }
}

function mergeItem(known: EvidenceItem, later: EvidenceItem): EvidenceItem {
  const details = known.details || later.details ? { details: { ...known.details, ...later.details } } : {};
  return { ...known, ...later, tags: { ...known.tags, ...later.tags }, ...details };
}

/** Every item of a manifest, snapshots first (the order reports and the tabletop JSON list them in). */
export function manifestItems(m: Pick<EvidenceManifest, 'snapshots' | 'isolation' | 'originalConfigurations'> | undefined): EvidenceItem[] {
  return m ? [...m.snapshots, ...m.isolation, ...m.originalConfigurations] : [];
}

export function manifestDigest(manifest: EvidenceManifest): string {
  return sha256Hex(canonicalJson(manifest));
}

function addCustody(m: EvidenceManifest, entry: CustodyEntry): void {
  if (!m.custody.some((c) => c.auditHash === entry.auditHash && c.action === entry.action)) m.custody.push(entry);
}
