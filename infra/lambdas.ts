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

/**
 * The Azure Function App's entries: `production` is what infra/bundle.ts packs for zip deploy
 * (cloud wiring only); `local` is the same functions with ingest on the local engine, for
 * `func start` on a workstation.
 */
export const AZURE_FUNCTION_APP_ENTRIES = {
  production: 'functions/handlers/azure/index.ts',
  local: 'functions/handlers/azure/local.ts',
} as const;
export type AzureFunctionAppEntry = keyof typeof AZURE_FUNCTION_APP_ENTRIES;
