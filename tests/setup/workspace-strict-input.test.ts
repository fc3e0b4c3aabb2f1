import { describe, expect, it } from 'vitest';
import { ChannelEndpoint, ContactIdentity } from '../../src/db/entities/index.ts';
import { AppError } from '../../src/domain/errors.ts';
import { applyWorkspace } from '../../src/setup/workspace/apply.ts';
import { exportWorkspace } from '../../src/setup/workspace/export.ts';
import { parseWorkspaceText } from '../../src/setup/workspace/schema.ts';
import { setupCli } from '../support/setup-cli.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * The workspace file and the CLI meet the same rules as the admin API: endpoint settings are checked by the
 * endpoint's channel, unknown keys are refused with the key that was meant, and phone numbers are
 * kept in E.164 (so applying the export back changes nothing).
 */
const db = await createTestDb();

function refusal(text: string): AppError {
  try {
    parseWorkspaceText(text);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('the file was accepted');
}

const withEndpoint = (lines: string) => `
groups: [{ name: Support }]
endpoints:
  - group: Support
${lines}`;

describe('the workspace file', () => {
  it('refuses "sendRatePerSecnd" in an endpoint\'s settings, naming the place and the setting meant', () => {
    const e = refusal(
      withEndpoint(`    channel: sms
    address: "+15550001111"
    name: Support SMS
    settings: { sendRatePerSecnd: 1 }
`),
    );
    expect(e.code).toBe('validation_failed');
    expect(e.message).toContain(
      'endpoints[0].settings: unknown field "sendRatePerSecnd" (did you mean "sendRatePerSecond"?)',
    );
  });

  it("refuses a setting of another channel (allowedOrigins is the widget's, not WhatsApp's)", () => {
    const e = refusal(
      withEndpoint(`    channel: whatsapp
    address: "106540352242922"
    name: Support WhatsApp
    settings: { allowedOrigins: [https://www.acme.example] }
`),
    );
    expect(e.message).toContain('endpoints[0].settings: unknown field "allowedOrigins"');
  });

  it('refuses a misspelt group key with the key that was meant', () => {
    const e = refusal('groups: [{ name: Support, slackChanelId: C0SUPPORT1 }]');
    expect(e.message).toContain('groups[0]: unknown field "slackChanelId" (did you mean "slackChannelId"?)');
  });

  it('refuses "hello" as an SMS number and a contact number without its country code', () => {
    const e = refusal(`${withEndpoint(`    channel: sms
    address: hello
    name: Support SMS
`)}contacts:
  - identities: [{ channel: sms, address: "4155550100" }]
`);
    expect(e.message).toContain('endpoints[0].address: "hello" is not a phone number');
    expect(e.message).toContain('contacts[0].identities[0].address: "4155550100" has no country code');
    expect(e.message).toContain('+14155550100');
  });

  it('R3: stores numbers in E.164, and the export applies back with nothing to change', async () => {
    const file = parseWorkspaceText(`${withEndpoint(`    channel: sms
    address: "+1 (415) 555-0100"
    name: Support SMS
    settings: { sendRatePerSecond: 1, messagingServiceSid: MG0123456789abcdef0123456789abcdef }
`)}contacts:
  - name: Dana
    identities: [{ channel: sms, address: "+1 415 555 0123" }, { channel: whatsapp, address: "+1-415-555-0123" }]
`);
    await applyWorkspace(db.em(), file);
    const em = db.em();
    expect((await em.findOneOrFail(ChannelEndpoint, { name: 'Support SMS' })).address).toBe('+14155550100');
    const identities = await em.find(
      ContactIdentity,
      { contact: { name: 'Dana' } },
      { orderBy: { channel: 'asc' } },
    );
    expect(identities.map((i) => `${i.channel} ${i.address}`)).toEqual([
      'sms +14155550123',
      'whatsapp +14155550123',
    ]);
    const again = await applyWorkspace(
      db.em(),
      parseWorkspaceText(JSON.stringify(await exportWorkspace(db.em(), { contacts: true }))),
    );
    expect(again.endpoints.unchanged).toContain('sms +14155550100');
    expect(again.contacts.unchanged).toEqual(['Dana']);
  });
});

const parley = setupCli(db);

describe('the CLI', () => {
  it('refuses an SMS number without its country code, and stores a typed one in E.164', async () => {
    await parley('groups', 'create', 'Field');
    const bare = await parley(
      'endpoints',
      'create',
      '--group',
      'Field',
      '--channel',
      'sms',
      '--address',
      '4155550199',
      '--name',
      'Field SMS',
    );
    expect(bare.exitCode).toBe(1);
    expect(bare.text).toContain('address: "4155550199" has no country code; write it in international form');
    const typed = await parley(
      'endpoints',
      'create',
      '--group',
      'Field',
      '--channel',
      'sms',
      '--address',
      '+1 (415) 555-0199',
      '--name',
      'Field SMS',
    );
    expect(typed.text).toMatch(/^Created sms endpoint \+14155550199 for Field/);
    const contact = await parley('contacts', 'create', '--name', 'Nobody', '--identity', 'sms:not a number');
    expect(contact.exitCode).toBe(1);
    expect(contact.text).toContain('identities[0].address: "not a number" is not a phone number');
  });
});
