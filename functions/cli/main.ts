/** The `cordon` command line. Returns the process exit code (DESIGN.md §3). */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`cordon: not yet wired (${argv.join(' ')})\n`);
  return 2;
}
