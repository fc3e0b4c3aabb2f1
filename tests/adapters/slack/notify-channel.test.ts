import { describe, expect, it } from 'vitest';
import { BOT } from '../../support/fake-slack.ts';
import { slackSurfaceHarness } from './surface-harness.ts';

/**
 * AgentSurface.notifyChannel on Slack: a short top-level notice in the group's channel (an AI
 * handoff with nobody assigned, R36), linking to the conversation's thread when it is there.
 */
const h = slackSurfaceHarness();

describe('Slack: a notice in the group channel (notifyChannel)', () => {
  it('R36: posts a top-level notice in the linked channel, linking to the conversation’s thread', async () => {
    const { channel, ref } = await h.openChannelThread();
    await h.surface.notifyChannel(channel, 'The AI agent handed #1042 <Jane & co> to a person.', ref);
    const notices = h.slack.posts.filter((p) => p.channel === channel && !p.thread_ts && p.ts !== ref.ts);
    expect(notices).toHaveLength(1);
    const notice = notices[0]!;
    // Data is escaped: a name never becomes a mention or a link.
    expect(notice.text).toContain('The AI agent handed #1042 &lt;Jane &amp; co&gt; to a person.');
    const permalink = `${BOT.teamUrl}archives/${channel}/p${String(ref.ts).replace('.', '')}`;
    expect(notice.text).toContain(`<${permalink}|Open the conversation>`);
    const call = h.slack.callsOf('chat.postMessage').at(-1)!;
    expect(call.args).toMatchObject({ channel, unfurl_links: false, unfurl_media: false });
    expect(call.args.thread_ts).toBeUndefined();
  });

  it('R31: without a thread, or with one elsewhere (another channel, a direct message), the notice links nowhere', async () => {
    const { channel } = await h.openChannelThread();
    const elsewhere = await h.openChannelThread();
    await h.surface.notifyChannel(channel, 'Handed to a person.', null);
    await h.surface.notifyChannel(channel, 'Handed to a person again.', elsewhere.ref);
    const notices = h.slack.posts.filter(
      (p) => p.channel === channel && !p.thread_ts && p.text.startsWith('Handed'),
    );
    expect(notices.map((p) => p.text)).toEqual(['Handed to a person.', 'Handed to a person again.']);
  });
});
