import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort, parleyEnv, runToEnd } from './child.ts';

/**
 * What a new user gets when something around Parley is wrong: one line on stderr naming the
 * variable to fix and exit code 2 (like a configuration error), never a stack trace, and never
 * "listening" for a port it could not bind.
 */
const noStack = (output: string) => expect(output).not.toMatch(/^\s+at /m);
const errorLines = (output: string) => output.split('\n').filter((l) => l && !l.startsWith('{'));

describe('start-up problems in the environment', () => {
  it('a busy port: one line naming PORT, exit 2, and "listening" is never logged', {
    timeout: 90_000,
  }, async () => {
    const { port, env } = await parleyEnv('busy_port');
    const taken = createServer().listen(port, '127.0.0.1');
    await once(taken, 'listening');
    onTestFinished(() => void taken.close());

    const { code, output } = await runToEnd(['all'], env);
    expect(code).toBe(2);
    expect(errorLines(output)).toEqual([
      `Parley cannot start: PORT: port ${port} on 127.0.0.1 is already in use (another Parley, or another program); stop it, or set PORT to a free port`,
    ]);
    expect(output).not.toMatch(/listening/);
    expect(output).not.toMatch(/workers started/);
    noStack(output);
  });

  it('an unreachable database: one line naming DATABASE_URL, exit 2, for the server and for a CLI command', {
    timeout: 60_000,
  }, async () => {
    const closed = await freePort();
    const { env } = await parleyEnv('unused', {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/parley`,
    });
    for (const args of [['web'], ['groups', 'list'], ['migrate']]) {
      const { code, output } = await runToEnd(args, env);
      expect(code, args.join(' ')).toBe(2);
      expect(errorLines(output)).toEqual([
        `Parley cannot start: DATABASE_URL: nothing answers at 127.0.0.1:${closed} (connection refused); start PostgreSQL there, or set DATABASE_URL to where it runs`,
      ]);
      noStack(output);
    }
  });

  it('a database at "localhost" that does not answer (IPv6 and IPv4 both refused) is named the same way', {
    timeout: 60_000,
  }, async () => {
    const closed = await freePort();
    const { env } = await parleyEnv('unused', {
      DATABASE_URL: `postgres://postgres@localhost:${closed}/parley`,
    });
    const { code, output } = await runToEnd(['groups', 'list'], env);
    expect(code).toBe(2);
    expect(output).toMatch(new RegExp(`DATABASE_URL: nothing answers at localhost:${closed}`));
  });

  it('an unreachable Redis: one line naming REDIS_URL, exit 2', { timeout: 60_000 }, async () => {
    const closed = await freePort();
    const { env } = await parleyEnv('no_redis', { REDIS_URL: `redis://127.0.0.1:${closed}` });
    const { code, output } = await runToEnd(['worker'], env);
    expect(code).toBe(2);
    expect(errorLines(output)).toEqual([
      `Parley cannot start: REDIS_URL: nothing answers at 127.0.0.1:${closed} (connection refused); start Redis there, or set REDIS_URL to where it runs`,
    ]);
    noStack(output);
  });

  it('two of the three WhatsApp variables, or one of the two Twilio ones: refused naming the missing ones, exit 2', async () => {
    const { env } = await parleyEnv('unused');
    const whatsapp = await runToEnd(['web'], {
      ...env,
      WHATSAPP_APP_SECRET: 'app-secret',
      WHATSAPP_VERIFY_TOKEN: 'verify',
    });
    expect(whatsapp.code).toBe(2);
    expect(whatsapp.output).toMatch(
      /WHATSAPP_ACCESS_TOKEN: required with WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN \(WhatsApp is on only with all of/,
    );
    const twilio = await runToEnd(['web'], { ...env, TWILIO_ACCOUNT_SID: 'AC123' });
    expect(twilio.code).toBe(2);
    expect(twilio.output).toMatch(/TWILIO_AUTH_TOKEN: required with TWILIO_ACCOUNT_SID/);
  });
});
