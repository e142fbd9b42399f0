/**
 * A real, bundleable stand-in for the Cordon handlers, used only by the infra tests so the
 * synth runs the actual esbuild path (ESM, minified, source map) before the real handlers exist.
 */
export async function handler(event: unknown): Promise<{ received: unknown }> {
  return { received: event };
}
