import { userInfo } from 'node:os';

/**
 * Who is at the keyboard, for decisions recorded locally (approvals, pause/resume): the operating
 * system's account of this process, not a name someone typed. A `--by` name may be added beside it,
 * never instead of it.
 */
export function localActor(env: Readonly<Record<string, string | undefined>>): string {
  try {
    return `os:${userInfo().username}`;
  } catch {
    return `os:${env.USER ?? 'unknown'}`;
  }
}
