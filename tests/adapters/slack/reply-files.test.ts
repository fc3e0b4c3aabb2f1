import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostAllowed } from '../../../adapters/guarded-download.ts';
import { slackFileHosts } from '../../../adapters/surfaces/slack/slack-files.ts';
import { User } from '../../../src/db/entities/index.ts';
import { inbound } from '../../adapters/whatsapp/payloads.ts';
import { BOT_TOKEN } from '../../support/fake-slack.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { eventually, slackHarness } from '../../support/slack-app.ts';
import { createTestDb } from '../../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
});

type ResponseBody = ConstructorParameters<typeof HttpResponse>[0];

/** A file host answering every GET with `body`; records the Authorization each request carried. */
function fileHost(origin: string, body: (pulled: { bytes: number }) => ResponseBody) {
  const seen: (string | null)[] = [];
  const pulled = { bytes: 0 };
  h.server.use(
    http.get(`${origin}/*`, ({ request }) => {
      seen.push(request.headers.get('authorization'));
      return new HttpResponse(body(pulled), {
        headers: { 'content-type': 'application/pdf' },
      });
    }),
  );
  return { seen, pulled };
}

let customer = 15550900000;
/** A WhatsApp customer's thread, then Alice replies in it with one file attached. */
async function replyWithFile(text: string, url: string, name = 'terms.pdf') {
  const waId = String(++customer);
  await h.whatsappWebhook(inbound({ waId, name: `Customer ${waId}` }, 'text', { body: `Hi from ${waId}` }));
  const header = await eventually(() =>
    h.slack.posts.find(
      (p) => !p.thread_ts && h.slack.threadOf('C_SUPPORT', p.ts).length > 0 && p.text.includes(waId),
    ),
  );
  // Parley has recorded the thread (a reply in a thread it has not recorded yet waits for the sweep).
  await settled(h.services);
  const typed = h.slack.personWrites('C_SUPPORT', 'U_ALICE', text, header.ts);
  const res = await h.event({
    type: 'message',
    subtype: 'file_share',
    channel: 'C_SUPPORT',
    channel_type: 'channel',
    user: 'U_ALICE',
    text,
    ts: typed.ts,
    thread_ts: header.ts,
    files: [{ id: `F${typed.ts}`, name, mimetype: 'application/pdf', url_private_download: url }],
  });
  expect(res.status).toBe(200);
}

const toldAlice = () => h.slack.ephemerals.filter((e) => e.user === 'U_ALICE').map((e) => e.text);

// Tests wait for the queues to settle before they look for what must not have happened.
describe("files agents attach to replies (R29), fetched with the bot token (R17: the token is Slack's only)", {
  timeout: 30_000,
}, () => {
  it("R29: a file on Slack's file host of the configured SLACK_API_URL is downloaded with the bot token and sent", async () => {
    const host = fileHost('https://files.slack.test', () => new TextEncoder().encode('%PDF-terms'));
    await replyWithFile('Here are the terms', 'https://files.slack.test/files-pri/T1-F1/terms.pdf');
    // A generous wait: the download, upload and send run behind the mirror on a loaded CI machine.
    const up = await eventually(() => h.graph.uploads.find((u) => u.fileName === 'terms.pdf'), 20_000);
    expect(new TextDecoder().decode(up.data)).toBe('%PDF-terms');
    expect(host.seen).toEqual([`Bearer ${BOT_TOKEN}`]);
  });

  it("R17: a file URL off Slack's hosts is never fetched, so the bot token never leaves; the agent is told why", async () => {
    const elsewhere = fileHost('https://files.evil.test', () => 'stolen');
    // Counted once earlier work (another test's sends) is all done.
    await settled(h.services);
    const sentBefore = h.graph.received.length;
    await replyWithFile('Sign this', 'https://files.evil.test/collect?x=1');
    expect(toldAlice().at(-1)).toMatch(/Not sent to the customer: "terms.pdf" is not on Slack's file hosts/);
    await settled(h.services);
    expect(elsewhere.seen).toEqual([]);
    expect(h.graph.received.length).toBe(sentBefore);
  });

  it('R29: a file without a size is read only up to the attachment limit, then refused', async () => {
    const limit = h.config.ATTACHMENT_MAX_BYTES;
    const chunk = new Uint8Array(1024 * 1024);
    // Far more than the limit, made as it is read: what Parley pulls is what it holds.
    const host = fileHost('https://files.slack.test', (pulled) => {
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled.bytes >= 8 * limit) return controller.close();
          pulled.bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
    });
    await replyWithFile('The big one', 'https://files.slack.test/files-pri/T1-F2/huge.pdf', 'huge.pdf');
    expect(toldAlice().at(-1)).toMatch(
      /Not sent to the customer: The file "huge.pdf" is .* attachments can be at most/,
    );
    await settled(h.services);
    expect(host.seen).toHaveLength(1);
    expect(h.graph.uploads.some((u) => u.fileName === 'huge.pdf')).toBe(false);
    expect(host.pulled.bytes).toBeLessThan(limit + 16 * chunk.byteLength);
  });

  it("R17: Slack's file hosts follow SLACK_API_URL (Slack, GovSlack, a fake), https only", () => {
    const allowed = (api: string, url: string) => hostAllowed(new URL(url), slackFileHosts(api));
    expect(allowed('https://slack.com/api/', 'https://files.slack.com/files-pri/T1-F1/a.pdf')).toBe(true);
    expect(allowed('https://slack-gov.com/api/', 'https://files.slack-gov.com/files-pri/T1-F1/a.pdf')).toBe(
      true,
    );
    expect(allowed('https://slack-gov.com/api/', 'https://files.slack.com/x')).toBe(true);
    expect(allowed('https://slack.com/api/', 'https://files.slack-gov.com/x')).toBe(false);
    expect(allowed('https://slack.com/api/', 'http://files.slack.com/x')).toBe(false);
    expect(allowed('https://slack.com/api/', 'https://files.slack.com.evil.test/x')).toBe(false);
    expect(allowed('https://slack.com/api/', 'https://evil.test/files.slack.com')).toBe(false);
  });
});
