import { randomUUID } from 'node:crypto';
import type { FakeTeams, TeamsUser } from './fake-teams.ts';
import { SERVICE_URL, TEAMS_TENANT_ID } from './fake-teams-auth.ts';

/**
 * The activities Teams sends Parley when people act (issue 10): a message in a channel post's
 * thread or in the personal chat with the app, a card button (Action.Execute), a dialog opened and
 * submitted. Each is what Teams' client would send, with the text written in the fake first so
 * the post shows it as people see it. Sign and post them with `teamsActivity` (slack-app.ts).
 */
export function teamsPeople(teams: FakeTeams, opts: { team: string; channel: string }) {
  const who = (u: TeamsUser) => ({ id: u.id, name: u.name, aadObjectId: u.aadObjectId });
  const base = (conversation: Record<string, unknown>) => ({
    serviceUrl: SERVICE_URL,
    channelId: 'msteams',
    timestamp: new Date().toISOString(),
    recipient: { id: teams.botId, name: 'Parley' },
    conversation: { tenantId: TEAMS_TENANT_ID, ...conversation },
    channelData: { tenant: { id: TEAMS_TENANT_ID } },
  });
  const inChannel = (threadId: string) => ({
    ...base({ id: threadId, conversationType: 'channel', isGroup: true }),
    channelData: {
      tenant: { id: TEAMS_TENANT_ID },
      team: { id: opts.team },
      channel: { id: opts.channel },
    },
  });
  const mention = {
    type: 'mention',
    text: '<at>Parley</at>',
    mentioned: { id: teams.botId, name: 'Parley' },
  };

  return {
    /** A person writes in a post's thread (`@Parley …` when `mentions`), as Teams sends it (HTML). */
    writesInThread(person: TeamsUser, threadId: string, html: string, o: { mentions?: boolean } = {}) {
      const text = o.mentions ? `<p><at>Parley</at> ${html}</p>` : `<p>${html}</p>`;
      const written = teams.personWrites(threadId, person.aadObjectId, text);
      return {
        activity: {
          ...inChannel(threadId),
          type: 'message',
          id: written.id,
          from: who(person),
          text,
          textFormat: 'xml',
          ...(o.mentions ? { entities: [mention] } : {}),
        },
        written,
      };
    },
    /** A person writes in their personal chat with the app (its id as the app opened it). */
    writesToApp(person: TeamsUser, chatId: string, text: string) {
      const written = teams.personWrites(chatId, person.aadObjectId, text);
      return {
        ...base({ id: chatId, conversationType: 'personal' }),
        type: 'message',
        id: written.id,
        from: who(person),
        text,
        textFormat: 'plain',
      };
    },
    /** A person presses a card's Action.Execute button (Universal Actions). */
    pressesButton(
      person: TeamsUser,
      where: { threadId: string } | { chatId: string },
      verb: string,
      data: unknown,
    ) {
      return {
        ...('threadId' in where
          ? inChannel(where.threadId)
          : base({ id: where.chatId, conversationType: 'personal' })),
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: `f:${randomUUID()}`,
        from: who(person),
        value: { action: { type: 'Action.Execute', verb, data } },
      };
    },
    /** A dialog opened (`task/fetch`) or submitted (`task/submit`) from a card. */
    dialog(
      person: TeamsUser,
      where: { threadId: string } | { chatId: string },
      name: 'task/fetch' | 'task/submit',
      data: Record<string, unknown>,
    ) {
      return {
        ...('threadId' in where
          ? inChannel(where.threadId)
          : base({ id: where.chatId, conversationType: 'personal' })),
        type: 'invoke',
        name,
        id: `f:${randomUUID()}`,
        from: who(person),
        value: { data },
      };
    },
  };
}

export interface CardAction {
  type: string;
  title: string;
  verb?: string;
  data: Record<string, unknown>;
}

/** The buttons a person sees on a card (an activity's Adaptive Cards, or a dialog's card). */
export function actionsOf(cardOrActivity: unknown): CardAction[] {
  const found: CardAction[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const x of node) walk(x);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n.type === 'string' && n.type.startsWith('Action.'))
      found.push({
        type: n.type,
        title: String(n.title ?? ''),
        ...(typeof n.verb === 'string' ? { verb: n.verb } : {}),
        data: (n.data ?? {}) as Record<string, unknown>,
      });
    for (const v of Object.values(n)) walk(v);
  };
  walk(cardOrActivity);
  return found;
}

/** The one button titled `title` (fails the test when the card shows none). */
export function buttonTitled(cardOrActivity: unknown, title: RegExp): CardAction {
  const action = actionsOf(cardOrActivity).find((a) => title.test(a.title));
  if (!action)
    throw new Error(`no button ${title} on the card: ${actionsOf(cardOrActivity).map((a) => a.title)}`);
  return action;
}
