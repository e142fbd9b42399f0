import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CordonStack } from './cordon-stack.js';
import type { LambdaEntries } from './lambdas.js';
import { LAMBDA_ENTRIES } from './lambdas.js';
import { CLOCK_WATCH_ID } from '../workflows/compile.js';
import { expectedPlaybookIds, loadCompiledPlaybooks } from './playbook-asl.js';
import { ResponderRoleStack } from './responder-role.js';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Feature flags the stack relies on (there is no cdk.json; the app sets them itself). */
const FEATURE_FLAGS = {
  // Grant S3 log delivery through a bucket policy instead of the legacy LogDeliveryWrite ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export interface CordonAppOptions {
  projectRoot?: string;
  /** Where the compiled ASL lives; default `workflows/asl`. */
  aslDir?: string;
  playbooksDir?: string;
  lambdaEntries?: LambdaEntries;
  appProps?: AppProps;
}

/** The whole CDK app: the Cordon stack, the member-account responder template, cdk-nag AwsSolutions. */
export function buildCordonApp(options: CordonAppOptions = {}): { app: App; cordon: CordonStack; responder: ResponderRoleStack } {
  const root = options.projectRoot ?? PROJECT_ROOT;
  const app = new App({ ...options.appProps, context: { ...FEATURE_FLAGS, ...options.appProps?.context } });
  const ids = expectedPlaybookIds(options.playbooksDir ?? join(root, 'playbooks'));
  const aslDir = options.aslDir ?? join(root, 'workflows', 'asl');
  const { compiled, problems } = loadCompiledPlaybooks(ids, aslDir);
  const clock = loadCompiledPlaybooks([CLOCK_WATCH_ID], aslDir);
  const cordon = new CordonStack(app, 'Cordon', {
    description: 'Cordon: event-driven incident response (contain, preserve, notify)',
    playbooks: compiled,
    clockWatch: clock.compiled[0],
    playbookProblems: [...problems, ...clock.problems],
    lambdaEntries: options.lambdaEntries ?? LAMBDA_ENTRIES,
    projectRoot: root,
  });
  const responder = new ResponderRoleStack(app, 'CordonResponder', {
    description: 'Cordon member-account responder role (deploy with StackSets to every member account)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, cordon, responder };
}
