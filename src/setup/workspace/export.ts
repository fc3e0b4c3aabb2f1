import type { EntityManager } from '@mikro-orm/postgresql';
import { stringify } from 'yaml';
import { ChannelEndpoint, Group, SavedReply, User } from '../../db/entities/index.ts';
import type { ChannelName } from '../../domain/channels.ts';
import { currentAccount } from '../account.ts';
import { listContacts } from '../contacts.ts';
import type { WorkspaceFileInput } from './schema.ts';

const PAGE = 500;

/** Drops null, undefined and empty-list fields, so the export reads like a hand-written file. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(
      ([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0),
    ),
  ) as T;
}

/**
 * The workspace as a file that `applyWorkspace` accepts: applying the export to the same database
 * changes nothing. Contacts are included only on request (there may be many).
 */
export async function exportWorkspace(
  em: EntityManager,
  opts: { contacts?: boolean } = {},
): Promise<WorkspaceFileInput> {
  const account = await currentAccount(em);
  const groups = await em.find(Group, { account }, { orderBy: { name: 'asc' } });
  const users = await em.find(User, { account }, { orderBy: { email: 'asc' } });
  const endpoints = await em.find(
    ChannelEndpoint,
    { account },
    { orderBy: { channel: 'asc', address: 'asc' } },
  );
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const emailOf = new Map(users.map((u) => [u.id, u.email]));
  const doc: WorkspaceFileInput = {
    account: { name: account.name },
    groups: groups.map((g) =>
      compact({
        name: g.name,
        slackChannelId: g.slackChannelId,
        teamsTeamId: g.teamsTeamId,
        teamsChannelId: g.teamsChannelId,
        aiAgent: g.aiAgent,
        autoResponder: g.autoResponder,
        sla: g.sla,
        digestCron: g.digestCron,
        replies: g.replies,
        csat: g.csat,
      }),
    ),
    users: users.map((u) =>
      compact({
        email: u.email,
        name: u.name,
        role: u.role,
        groups: u.groupIds.map((id) => groupName.get(id)).filter((n): n is string => n !== undefined),
        slackUserId: u.slackUserId,
        teamsUserId: u.teamsUserId,
        active: u.active,
      }),
    ),
    endpoints: endpoints.map((e) =>
      compact({
        group: groupName.get(e.group.id)!,
        channel: e.channel as ChannelName,
        address: e.address,
        name: e.name,
        settings: e.settings,
      }),
    ),
  };
  const saved = await em.find(SavedReply, { account }, { orderBy: { name: 'asc' } });
  if (saved.length > 0)
    doc.savedReplies = saved.map((r) =>
      compact({ name: r.name, text: r.text, user: r.owner ? emailOf.get(r.owner.id) : undefined }),
    );
  if (opts.contacts) {
    const emails = (ids: readonly string[]) =>
      ids.map((id) => emailOf.get(id)).filter((x): x is string => !!x);
    doc.contacts = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await listContacts(em, { limit: PAGE, offset });
      for (const { contact: c, identities } of page) {
        // Anonymous webchat sessions are not a way to recognise the contact; a file entry needs one that is.
        const known = identities.filter((i) => i.identified);
        if (known.length === 0) continue;
        doc.contacts.push(
          compact({
            name: c.name,
            tags: c.tags,
            identities: known.map((i) => ({ channel: i.channel as ChannelName, address: i.address })),
            portalProfile: c.portalProfile,
            optedOutChannels: c.optedOutChannels as ChannelName[],
            defaultAssignees: emails(c.defaultAssigneeIds),
            defaultVisibleTo: c.defaultVisibleToIds ? emails(c.defaultVisibleToIds) : null,
          }),
        );
      }
      if (page.length < PAGE) break;
    }
  }
  return doc;
}

export const workspaceToYaml = (doc: WorkspaceFileInput) => stringify(doc, { lineWidth: 0 });
