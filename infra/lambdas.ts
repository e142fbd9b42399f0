/**
 * The one place the CDK app learns where each Lambda handler's source lives. Paths are
 * relative to the repository root; each module exports `handler`.
 */
export const LAMBDA_NAMES = ['ingest', 'action-runner', 'approval', 'clock-reminder'] as const;
export type LambdaName = (typeof LAMBDA_NAMES)[number];

export type LambdaEntries = Readonly<Record<LambdaName, string>>;

export const LAMBDA_ENTRIES: LambdaEntries = {
  ingest: 'functions/handlers/aws/ingest.ts',
  'action-runner': 'functions/handlers/aws/action-runner.ts',
  approval: 'functions/handlers/aws/approval.ts',
  'clock-reminder': 'functions/handlers/aws/clock-reminder.ts',
};
