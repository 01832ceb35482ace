export async function main(argv: string[]): Promise<void> {
  process.stdout.write(`devenv: not implemented yet (${argv.join(' ')})\n`);
}
