import * as z from 'zod';
import { SEVERITIES, SOURCES } from '../model.js';
import type { Finding } from '../model.js';

const nonEmpty = z.string().min(1);

/**
 * The last gate before a finding leaves ingest: whatever the source module built must have every
 * field the router and planner rely on. A source module bug becomes a rejection, never a half-finding.
 */
export const FindingSchema = z.object({
  id: nonEmpty,
  source: z.enum(SOURCES),
  cloud: z.enum(['aws', 'azure']),
  type: nonEmpty,
  title: nonEmpty,
  severity: z.enum(SEVERITIES),
  account: nonEmpty,
  region: nonEmpty,
  observedAt: z.iso.datetime(),
  sample: z.boolean(),
  resources: z.array(
    z.object({
      type: nonEmpty,
      id: nonEmpty,
      tags: z.record(z.string(), z.string()),
      region: z.string().optional(),
      account: z.string().optional(),
      details: z.record(z.string(), z.string()).optional(),
    }),
  ),
  control: z.string().optional(),
  recordState: z.enum(['active', 'archived']).optional(),
  workflowStatus: z.enum(['new', 'notified', 'resolved', 'suppressed']).optional(),
  complianceStatus: z.enum(['passed', 'failed', 'warning', 'not_available']).optional(),
  productArn: z.string().optional(),
  alertResourceId: z.string().optional(),
  relayOf: z.object({ source: z.enum(SOURCES), id: nonEmpty }).optional(),
}) satisfies z.ZodType<Finding>;
