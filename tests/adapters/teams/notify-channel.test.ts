import { describe, expect, it } from 'vitest';
import { createTeamsSurface } from '../../../adapters/surfaces/teams/teams.surface.ts';
import { createLogger } from '../../../src/logger.ts';
import { TEAMS_TEST_TENANT_ID } from '../../support/fake-teams.ts';
import { actionsOf } from '../../support/teams-people.ts';
import { teamsSurfaceHarness } from './surface-harness.ts';

/**
 * AgentSurface.notifyChannel on Teams: a new post in the group's channel (an AI handoff with
 * nobody assigned, R36), with a button opening the conversation's post when it is in that channel.
 */
const h = await teamsSurfaceHarness();
const surface = createTeamsSurface({
  api: h.api,
  em: h.db.em,
  redis: h.redis.producer,
  prefix: h.redis.prefix,
  logger: createLogger('silent'),
  mediaLink: () => null,
  webUrl: 'https://teams.microsoft.com',
  tenantId: TEAMS_TEST_TENANT_ID,
  now: () => h.clock.now,
});

describe('Teams: a notice in the group channel (notifyChannel)', () => {
  it('R36: posts a new post in the linked channel, with a link to the conversation’s post', async () => {
    const { channel, ref } = await h.openChannelThread(h.header(), surface);
    await surface.notifyChannel(channel, 'The AI agent handed #1042 **Jane** to a person.', {
      ...ref,
      team: 'group-1',
    });
    const posts = h.teams.posts(channel);
    expect(posts).toHaveLength(2);
    const notice = posts[1]!.root!;
    // The text is drawn as it is (a TextRun), never as markdown.
    expect(h.teams.visible(notice)).toContain('The AI agent handed #1042 **Jane** to a person.');
    const [open] = actionsOf(notice.attachments);
    expect(open?.type).toBe('Action.OpenUrl');
    const card = notice.attachments![0]!.content as { actions: { url: string }[] };
    const url = new URL(card.actions[0]!.url);
    expect(url.origin).toBe('https://teams.microsoft.com');
    expect(url.pathname).toBe(`/l/message/${encodeURIComponent(channel)}/${ref.root}`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenantId: TEAMS_TEST_TENANT_ID,
      groupId: 'group-1',
      parentMessageId: String(ref.root),
    });
  });

  it('R31: without a thread, or with a personal chat’s, the notice links nowhere', async () => {
    const { channel } = await h.openChannelThread(h.header(), surface);
    await surface.notifyChannel(channel, 'Handed to a person.', null);
    await surface.notifyChannel(channel, 'Handed again.', {
      kind: 'personal',
      conversation: 'a:personal-chat',
      root: '1',
      conversation_id: 'c1',
    });
    const notices = h.teams.posts(channel).slice(1);
    expect(notices.map((p) => h.teams.visible(p.root!).includes('Handed'))).toEqual([true, true]);
    expect(notices.flatMap((p) => actionsOf(p.root!.attachments))).toEqual([]);
  });
});
