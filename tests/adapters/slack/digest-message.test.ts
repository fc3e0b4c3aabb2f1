import { describe, expect, it } from 'vitest';
import { waiting } from '../../../adapters/surfaces/shared/dashboard-text.ts';
import { digestMessage } from '../../../adapters/surfaces/slack/digest-message.ts';
import type { DigestData, DigestItem } from '../../../src/queries/digest-data.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const INJECTION = '<!channel> <@U1> <https://x|y> & Co';

const item = (n: number, over: Partial<DigestItem> = {}): DigestItem => ({
  conversationId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  number: 1000 + n,
  contactName: `Contact ${n}`,
  channel: 'whatsapp',
  unrepliedCount: 2,
  oldestUnrepliedAt: '2026-03-01T08:55:00.000Z',
  thread: { channel: 'C_SUPPORT', ts: '1700000000.000100' },
  ...over,
});

const data = (over: Partial<DigestData> = {}): DigestData => ({
  groupId: '11111111-1111-4111-8111-111111111111',
  groupName: 'Support',
  slackChannelId: 'C_SUPPORT',
  figures: { unassigned: 4, unreplied: 7, open: 12 },
  oldestUnreplied: [
    item(1),
    item(2, { thread: null, channel: 'sms', oldestUnrepliedAt: '2026-03-01T11:50:00.000Z' }),
  ],
  ...over,
});

// biome-ignore lint/suspicious/noExplicitAny: the test reads Block Kit JSON loosely
type Block = Record<string, any>;

describe('group digest message', () => {
  it('R42: the ratings of the group, then each agent’s, escaped; none without requests', () => {
    const figures = { asked: 2, answered: 2, skipped: 0, average: 4.5, satisfiedPercent: 100 };
    const csat = {
      groupId: 'g',
      groupName: 'Support',
      ...figures,
      agents: [{ userId: 'u1', name: INJECTION, ...figures }],
    };
    const text = JSON.stringify(digestMessage(data({ csat }), { teamUrl: null, now: NOW }).blocks);
    expect(text).toContain('Customer ratings, last 7 days: 100% satisfied · 4.50 average · 2 of 2 answered');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(JSON.stringify(digestMessage(data(), { teamUrl: null, now: NOW }))).not.toContain(
      'Customer ratings',
    );
  });

  it('R36: with an AI agent, its last 24 hours: answers, handoffs and tokens; without one, no AI line', () => {
    const withAi = digestMessage(data({ ai: { answers: 12, handoffs: 1, tokens: 45_210 } }), {
      teamUrl: null,
      now: NOW,
    });
    expect(JSON.stringify(withAi.blocks)).toContain(
      'AI agent, last 24 h: 12 answers · 1 handoff to the team · 45,210 tokens',
    );
    expect(JSON.stringify(digestMessage(data(), { teamUrl: null, now: NOW }).blocks)).not.toContain(
      'AI agent',
    );
  });

  it('R27: the figures, unreplied first and most prominent, in the notification text too', () => {
    const msg = digestMessage(data(), { teamUrl: 'https://acme.slack.com/', now: NOW });
    expect(msg.text).toBe(
      'Support digest: 7 unreplied messages, 4 unassigned conversations, 12 open conversations.',
    );
    const fields = (msg.blocks as Block[]).find((b) => b.fields)?.fields.map((f: Block) => f.text);
    expect(fields).toEqual([':red_circle: *7  unreplied*', '4  unassigned', '12  open']);
  });

  it('R27: the oldest unreplied conversations in order, with how long they wait and a link to the thread', () => {
    const msg = digestMessage(data(), { teamUrl: 'https://acme.slack.com/', now: NOW });
    const items = (msg.blocks as Block[]).filter((b) => b.type === 'section' && /#10\d\d/.test(b.text?.text));
    expect(items.map((b) => b.text.text.split(' · ').slice(0, 4))).toEqual([
      ['*#1001', 'Contact 1*', 'WhatsApp', '2 unreplied'],
      ['*#1002', 'Contact 2*', 'SMS', '2 unreplied'],
    ]);
    expect(items[0]!.text.text).toContain('waiting 3 h 5 min (since <!date^');
    expect(items[1]!.text.text).toContain('waiting 10 min');
    expect(items[0]!.accessory).toMatchObject({
      url: 'https://acme.slack.com/archives/C_SUPPORT/p1700000000000100',
    });
    expect(items[1]!.accessory).toBeUndefined();
  });

  it('R27: a calm message when nobody waits', () => {
    const msg = digestMessage(
      data({ figures: { unassigned: 0, unreplied: 0, open: 3 }, oldestUnreplied: [] }),
      {
        teamUrl: null,
        now: NOW,
      },
    );
    expect(JSON.stringify(msg)).toContain('No customer is waiting for a reply.');
    expect(JSON.stringify(msg)).toContain(':large_green_circle: *0  unreplied*');
  });

  it('R27 R28: markup in contact and group names comes out escaped, never as a mention or link', () => {
    const msg = digestMessage(
      data({ groupName: `<!here> ${INJECTION}`, oldestUnreplied: [item(1, { contactName: INJECTION })] }),
      { teamUrl: 'https://acme.slack.com/', now: NOW },
    );
    const json = JSON.stringify(msg);
    for (const a of json.match(/<[^>]*>?/g) ?? []) {
      expect(a).toMatch(/^<!date\^\d+\^\{date_short_pretty\} at \{time\}\|[\d: -]+UTC>$/);
    }
    expect(json).toContain('&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt; &amp; Co');
    expect(msg.text).toMatch(/^&lt;!here&gt; /);
    const mrkdwns = json.match(/"type":"mrkdwn","text":"[^"]*","verbatim":(true|false)/g) ?? [];
    expect(mrkdwns.length).toBeGreaterThan(0);
    for (const m of mrkdwns) expect(m).toMatch(/"verbatim":true$/);
  });

  it('R27: waiting times read at a glance', () => {
    expect([20_000, 8 * 60_000, 3 * 3600_000, 26 * 3600_000 + 60_000, 48 * 3600_000].map(waiting)).toEqual([
      'under a minute',
      '8 min',
      '3 h',
      '1 d 2 h',
      '2 d',
    ]);
  });
});
