/**
 * The shape of an engine use case (the exercise, the manual run, and next the release): typed
 * options in, a typed outcome out, progress as events to an optional observer. No argv, no
 * stdout, no exit codes — the CLI parses, calls and renders; the bench or a future API calls the
 * same function.
 */
export type UseCase<Options, Event, Outcome> = (options: Options, observe?: (event: Event) => void) => Promise<Outcome>;
