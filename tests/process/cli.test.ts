import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './child.ts';

/**
 * The `parley` binary (what `npx parley` runs) as a new user meets it: alone it prints its help
 * instead of starting the server; a mistyped command is named as unknown; --version answers.
 */
const bin = fileURLToPath(new URL('../../bin/parley.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

async function parley(...args: string[]) {
  // A database that does not answer: nothing here may need one.
  const { output, exited } = run(process.execPath, [bin, ...args], {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none',
    REDIS_URL: 'redis://127.0.0.1:9',
  });
  const { code } = await exited;
  return { code, output: output() };
}

describe('the parley command', () => {
  it('alone prints the commands and exits as commander does, starting nothing', async () => {
    const { code, output } = await parley();
    expect(code).toBe(1);
    expect(output).toMatch(/^Usage: parley \[options\] \[command\]/);
    expect(output).toMatch(/\n {2}all +run the web server and the workers in one process/);
    expect(output).toMatch(/\n {2}groups +list, create and change groups/);
    expect(output).not.toMatch(/listening|cannot start/);
  });

  it('names an unknown command and suggests the nearest one', async () => {
    const typo = await parley('wrker');
    expect(typo.code).toBe(1);
    expect(typo.output).toBe("error: unknown command 'wrker'\n(Did you mean worker?)\n");
    const other = await parley('frobnicate', 'now');
    expect(other.output).toMatch(/^error: unknown command 'frobnicate'/);
    expect(other.output).not.toMatch(/too many arguments/);
  });

  it('--version and -V print the version of package.json', async () => {
    for (const flag of ['--version', '-V']) {
      const { code, output } = await parley(flag);
      expect(code).toBe(0);
      expect(output).toBe(`${version}\n`);
    }
  });
});
