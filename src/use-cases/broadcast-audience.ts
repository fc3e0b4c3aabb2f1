import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { ChannelEndpoint, Group, type User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { type RefusalCode, sendRefusal } from '../domain/channel-rules.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import { AppError } from '../domain/errors.ts';
import { canSee, isMember } from '../domain/visibility.ts';
import { attachmentSchema, hasText, templateSchema } from './input.ts';
import { loadActingUser, toViewer } from './load.ts';

/**
 * R8: who a broadcast is for, shared by the preview, the creation and the worker: the acting user
 * may use the group and its endpoint (R33), and the target resolves to contacts of the account.
 */
export const createBroadcastSchema = z
  .object({
    groupId: z.uuid(),
    endpointId: z.uuid(),
    text: z.string().optional(),
    template: templateSchema.optional(),
    attachments: z.array(attachmentSchema).optional(),
    target: z.union([
      z.object({ contactIds: z.array(z.uuid()).min(1).max(10_000) }),
      z.object({ tag: z.string().trim().min(1) }),
    ]),
  })
  .refine(
    (b) => hasText(b.text) || !!b.template || (b.attachments?.length ?? 0) > 0,
    'A broadcast needs text, a template or an attachment.',
  );

export type CreateBroadcastInput = z.input<typeof createBroadcastSchema>;
export type ParsedBroadcastInput = z.output<typeof createBroadcastSchema>;

export interface BroadcastScope {
  user: User;
  group: Group;
  endpoint: ChannelEndpoint;
}

/** R33: the user, the group they belong to and the group's number or widget to send from. */
export async function loadBroadcastScope(
  tx: EntityManager,
  actor: Actor,
  input: { groupId: string; endpointId: string },
): Promise<BroadcastScope> {
  const user = await loadActingUser(tx, actor);
  const group = await tx.findOne(Group, { id: input.groupId, account: user.account });
  if (!group) throw new AppError('not_found', 'That group does not exist in your account.');
  if (!isMember(toViewer(user), group.id)) {
    throw new AppError(
      'forbidden',
      `You are not a member of the group "${group.name}". Ask an admin to add you.`,
      { rule: 'R33' },
    );
  }
  const endpoint = await tx.findOne(ChannelEndpoint, { id: input.endpointId, group });
  if (!endpoint)
    throw new AppError('not_found', `That number or widget does not belong to the group "${group.name}".`);
  return { user, group, endpoint };
}

const sql = (tx: EntityManager) => ({
  all: <T>(query: string, params: unknown[]) =>
    tx.getConnection().execute<T[]>(query, params, 'all', tx.getTransactionContext()),
});

/** The contact ids a broadcast reaches, each once, in a stable order (the worker's batch order). */
export async function audienceIds(
  tx: EntityManager,
  accountId: string,
  target: { contactIds: string[] } | { tag: string },
): Promise<string[]> {
  if ('tag' in target) {
    const rows = await sql(tx).all<{ id: string }>(
      `select id from contact where account_id = ? and tags @> array[?]::text[] order by id`,
      [accountId, target.tag],
    );
    if (rows.length === 0)
      throw new AppError('rule_violation', `No contact carries the tag "${target.tag}".`, { rule: 'R8' });
    return rows.map((r) => r.id);
  }
  const ids = [...new Set(target.contactIds)];
  const rows = await sql(tx).all<{ id: string }>(
    `select id from contact where account_id = ? and id in (select value::uuid from json_array_elements_text(?::json)) order by id`,
    [accountId, JSON.stringify(ids)],
  );
  if (rows.length !== ids.length) {
    throw new AppError(
      'not_found',
      `${ids.length - rows.length} of the chosen contacts do not exist in your account.`,
      { rule: 'R8' },
    );
  }
  return rows.map((r) => r.id);
}

/** Why a recipient is left out: the R7 code, or `restricted` (R17: their conversation is hidden from the sender). */
export type LeftOutCode = RefusalCode | 'restricted';
export interface LeftOut {
  code: LeftOutCode;
  message: string;
}

/**
 * R7/R17 for a whole audience in a few queries (the same facts sendToContact checks one by one):
 * the reason each contact would be refused, or null when the message would go.
 */
export async function audienceRefusals(
  tx: EntityManager,
  scope: BroadcastScope,
  contactIds: string[],
  content: { text?: string | null; template?: unknown; attachments?: unknown[] },
  now: Date,
): Promise<Map<string, LeftOut | null>> {
  const { endpoint, group, user } = scope;
  const channel = endpoint.channel;
  const capabilities = capabilitiesOf(channel);
  if (!capabilities) throw new AppError('bad_request', `Parley has no channel called "${channel}".`);
  const isTemplate = !!content.template;
  const needsWindow = capabilities.serviceWindowHours !== null && !isTemplate;
  const facts = await sql(tx).all<{
    id: string;
    name: string | null;
    opted_out: boolean;
    has_portal_profile: boolean;
    has_identity: boolean;
    last_inbound_at: Date | string | null;
    visible_to_ids: string[] | null;
    has_open: boolean;
    default_visible_to_ids: string[] | null;
    latest_visible_to_ids: string[] | null;
  }>(
    `select c.id, c.name,
            ? = any(coalesce(c.opted_out_channels, '{}')) as opted_out,
            c.portal_profile is not null as has_portal_profile,
            exists (select 1 from contact_identity i where i.contact_id = c.id and i.channel = ?) as has_identity,
            ${
              needsWindow
                ? `(select max(m.created_at) from message m join conversation v on v.id = m.conversation_id
                     where v.contact_id = c.id and m.kind = 'inbound' and m.channel = ? and m.endpoint_id = ?)`
                : 'null::timestamptz'
            } as last_inbound_at,
            o.visible_to_ids, o.id is not null as has_open, c.default_visible_to_ids,
            (select l.visible_to_ids from conversation l where l.contact_id = c.id and l.group_id = ?
                and l.status <> 'deleted' order by l.number desc limit 1) as latest_visible_to_ids
       from contact c
       left join conversation o on o.contact_id = c.id and o.group_id = ? and o.status = 'open'
      where c.id in (select value::uuid from json_array_elements_text(?::json))`,
    needsWindow
      ? [channel, channel, channel, endpoint.id, group.id, group.id, JSON.stringify(contactIds)]
      : [channel, channel, group.id, group.id, JSON.stringify(contactIds)],
  );
  const viewer = toViewer(user);
  const textLength = content.text ? [...content.text].length : 0;
  const out = new Map<string, LeftOut | null>();
  for (const f of facts) {
    // The conversation the message lands in must be one the sender sees (R17): the open one, or a
    // new one that keeps the contact's restrictions (R19/R34, newConversationVisibility).
    const visibleToIds = f.has_open ? f.visible_to_ids : inherited(f);
    if (!canSee(viewer, { groupId: group.id, visibleToIds })) {
      out.set(f.id, {
        code: 'restricted',
        message: `This contact's conversations in ${group.name} are restricted to a list of users you are not on.`,
      });
      continue;
    }
    const refusal = sendRefusal({
      capabilities,
      contactName: f.name ?? 'This contact',
      hasIdentity: f.has_identity,
      hasPortalProfile: f.has_portal_profile,
      inLiveConversation: false,
      optedOut: f.opted_out,
      isTemplate,
      hasAttachments: (content.attachments?.length ?? 0) > 0,
      textLength,
      lastInboundAt: f.last_inbound_at ? new Date(f.last_inbound_at) : null,
      now,
    });
    out.set(f.id, refusal);
  }
  return out;
}

/** Who a new conversation would be restricted to; the sender, an active member, is always eligible. */
function inherited(f: { default_visible_to_ids: string[] | null; latest_visible_to_ids: string[] | null }) {
  const lists = [f.default_visible_to_ids, f.latest_visible_to_ids].filter((l) => Array.isArray(l));
  return lists.length === 0 ? null : [...new Set(lists.flat())];
}

/** The preview's reason names (what the chat doors show) for the R7/R17 codes. */
export function leftOutReason(code: string, channelLabel: string): { reason: string; label: string } {
  switch (code) {
    case 'opted_out':
      return { reason: 'opted_out', label: `opted out of ${channelLabel}` };
    case 'window_closed':
      return {
        reason: 'outside_whatsapp_window',
        label: `outside ${channelLabel}'s 24-hour window (send a template to reach them)`,
      };
    case 'no_identity':
    case 'no_portal_profile':
      return { reason: 'no_identity_on_channel', label: `no ${channelLabel} address` };
    case 'restricted':
      return { reason: 'restricted', label: 'their conversation is restricted to other users' };
    case 'templates_unsupported':
      return { reason: code, label: `${channelLabel} has no template messages` };
    case 'attachments_unsupported':
      return { reason: code, label: `${channelLabel} cannot carry attachments` };
    case 'text_too_long':
      return { reason: code, label: `the text is too long for ${channelLabel}` };
    default:
      return { reason: code, label: code.replaceAll('_', ' ') };
  }
}
