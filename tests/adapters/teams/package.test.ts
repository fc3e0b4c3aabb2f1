import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Command } from 'commander';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { SEND_TO_CUSTOMER_COMMAND } from '../../../adapters/surfaces/teams/inbound/send-to-customer.ts';
import { buildTeamsPackage } from '../../../adapters/surfaces/teams/package-app.ts';
import { registerTeamsCommands } from '../../../src/cli/teams-commands.ts';
import { commandNames, describeCommand, isCommandName } from '../../../src/commands/help-text.ts';
import { loadConfig } from '../../../src/config.ts';
import { TEAMS_APP_ID, TEAMS_ENV } from '../../support/fake-teams-auth.ts';

/**
 * Issue 10, "Setup" (R30: the bot's commands are declared to Teams): `npx parley teams package`
 * builds the uploadable Teams app package: the v1.30 manifest with this deployment's app id and
 * domain, the bot in team and personal scopes with the command lists of src/commands, the RSC
 * permission that lets thread replies reach Parley without an @mention, and both icons.
 */
const input = { appId: TEAMS_APP_ID, publicUrl: 'https://parley.example.com', version: '1.4.2' };
const unzip = (zip: Uint8Array) => unzipSync(zip);
// biome-ignore lint/suspicious/noExplicitAny: the manifest is looked into at any depth
const manifestOf = (zip: Uint8Array): any => JSON.parse(strFromU8(unzip(zip)['manifest.json']!));

/** Width, height and colour type of a PNG, and its pixels (rows unfiltered, as ours are written). */
function readPng(png: Uint8Array) {
  const buf = Buffer.from(png);
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  let idat = Buffer.alloc(0);
  for (let off = 8; off < buf.length; ) {
    const len = buf.readUInt32BE(off);
    if (buf.toString('ascii', off + 4, off + 8) === 'IDAT')
      idat = Buffer.concat([idat, buf.subarray(off + 8, off + 8 + len)]);
    off += 12 + len;
  }
  const raw = inflateSync(idat);
  const pixels = Array.from({ length: width * height }, (_, p) => {
    const i = Math.floor(p / width) * (width * 4 + 1) + 1 + (p % width) * 4;
    return [raw[i]!, raw[i + 1]!, raw[i + 2]!, raw[i + 3]!];
  });
  return { width, height, colorType: buf[25], pixels };
}

describe('the Teams app package', () => {
  const zip = buildTeamsPackage(input);
  const manifest = manifestOf(zip);

  it('holds the manifest and the two icons at its root, and nothing else', () => {
    expect(Object.keys(unzip(zip)).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(JSON.stringify(manifest)).not.toContain('{{');
  });

  it('is a v1.30 manifest for this app id, domain and version', () => {
    expect(manifest).toMatchObject({
      $schema: 'https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json',
      manifestVersion: '1.30',
      version: '1.4.2',
      id: TEAMS_APP_ID,
      developer: { websiteUrl: 'https://parley.example.com', privacyUrl: 'https://parley.example.com' },
      icons: { color: 'color.png', outline: 'outline.png' },
      validDomains: ['parley.example.com'],
    });
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
  });

  it('declares the bot in team and personal scopes, taking files', () => {
    expect(manifest.bots).toHaveLength(1);
    expect(manifest.bots[0]).toMatchObject({
      botId: TEAMS_APP_ID,
      scopes: ['team', 'personal'],
      supportsFiles: true,
      isNotificationOnly: false,
    });
  });

  it('asks for ChannelMessage.Read.Group (RSC) with its webApplicationInfo', () => {
    expect(manifest.authorization.permissions.resourceSpecific).toEqual([
      { name: 'ChannelMessage.Read.Group', type: 'Application' },
    ]);
    expect(manifest.webApplicationInfo).toEqual({
      id: TEAMS_APP_ID,
      resource: `api://parley.example.com/botid-${TEAMS_APP_ID}`,
    });
  });

  it('R41: declares Send to customer, a message action the bot answers (the command id it handles)', () => {
    expect(manifest.composeExtensions).toEqual([
      {
        botId: TEAMS_APP_ID,
        commands: [
          expect.objectContaining({
            id: SEND_TO_CUSTOMER_COMMAND,
            type: 'action',
            context: ['message'],
            fetchTask: true,
          }),
        ],
      },
    ]);
  });

  it('lists commands of the shared grammar for both scopes, described as `help` describes them (R30)', () => {
    const lists = manifest.bots[0].commandLists as {
      scopes: string[];
      commands: { title: string; description: string }[];
    }[];
    expect(lists.map((l) => l.scopes)).toEqual([['team'], ['personal']]);
    for (const list of lists) {
      // Teams takes at most 10 commands per list, titles up to 32 and descriptions up to 128 characters.
      expect(list.commands.length).toBeLessThanOrEqual(10);
      for (const c of list.commands) {
        expect(isCommandName(c.title), c.title).toBe(true);
        if (!isCommandName(c.title)) continue;
        const does = describeCommand(c.title).split(' — ')[1]!.replaceAll('`', '');
        expect(c.description).toBe(does);
        expect(c.description.length).toBeLessThanOrEqual(128);
      }
      expect(new Set(list.commands.map((c) => c.title)).size).toBe(list.commands.length);
    }
    const titles = (i: number) => lists[i]!.commands.map((c) => c.title);
    expect(titles(0)).toEqual(expect.arrayContaining(['reply', 'note', 'assign', 'close', 'help']));
    expect(titles(1)).toEqual(expect.arrayContaining(['inbox', 'dashboard', 'search', 'new', 'help']));
    expect(commandNames).toEqual(expect.arrayContaining([...titles(0), ...titles(1)]));
  });

  it('has a 192×192 colour icon and a 32×32 outline icon, white on transparency', () => {
    const files = unzip(zip);
    const color = readPng(files['color.png']!);
    expect([color.width, color.height, color.colorType]).toEqual([192, 192, 6]);
    expect(color.pixels.every((p) => p[3] === 255)).toBe(true);
    const outline = readPng(files['outline.png']!);
    expect([outline.width, outline.height, outline.colorType]).toEqual([32, 32, 6]);
    const seen = outline.pixels.filter((p) => p[3]! > 0);
    expect(seen.length).toBeGreaterThan(50);
    expect(seen.length).toBeLessThan(outline.pixels.length / 2);
    expect(seen.every((p) => p[0] === 255 && p[1] === 255 && p[2] === 255)).toBe(true);
  });

  it.each([
    [{ appId: undefined }, /TEAMS_APP_ID is not set/],
    [{ appId: 'parley-bot' }, /TEAMS_APP_ID must be .* a GUID/],
    [{ publicUrl: 'http://localhost:3000' }, /PUBLIC_URL must be an https:\/\/ URL/],
    [{ version: 'v2' }, /version must look like 1\.2\.3/],
  ])('refuses %o, saying what to fix', (change, message) => {
    expect(() => buildTeamsPackage({ ...input, ...change })).toThrow(message);
  });
});

describe('npx parley teams package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-teams-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (env: Record<string, string>, ...args: string[]) => {
    const io = { lines: [] as string[], errors: [] as string[], code: 0 };
    const program = new Command('parley').exitOverride();
    registerTeamsCommands(program, () => loadConfig(env), {
      out: (l) => io.lines.push(l),
      err: (l) => io.errors.push(l),
      fail: (c) => {
        io.code = c;
      },
    });
    await program.parseAsync(['node', 'parley', 'teams', 'package', ...args]);
    return io;
  };

  it('writes the package for TEAMS_APP_ID and PUBLIC_URL to --out', async () => {
    const out = join(dir, 'app.zip');
    const io = await run({ ...TEAMS_ENV, PUBLIC_URL: 'https://support.acme.example/' }, '--out', out);
    expect(io).toMatchObject({ code: 0, errors: [] });
    expect(io.lines[0]).toContain(out);
    const m = manifestOf(readFileSync(out));
    expect(m).toMatchObject({ id: TEAMS_APP_ID, validDomains: ['support.acme.example'] });
    expect(m.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('fails with exit code 1 and the reason when Teams is not configured', async () => {
    const io = await run({ PUBLIC_URL: 'https://support.acme.example' }, '--out', join(dir, 'none.zip'));
    expect(io.code).toBe(1);
    expect(io.errors).toEqual([expect.stringMatching(/^error: TEAMS_APP_ID is not set/)]);
  });
});
