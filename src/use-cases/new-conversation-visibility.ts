import type { EntityManager } from '@mikro-orm/postgresql';
import { type Contact, Conversation, type Group, User } from '../db/entities/index.ts';
import { inheritedVisibility } from '../domain/visibility.ts';

/**
 * R19/R34: who may see a conversation that is about to open for a contact in a group, whatever
 * opened it (a customer's message, a reply after close, `new`, a broadcast). It keeps every
 * restriction that applies to the contact there: the contact's default list, and the list of the
 * contact's latest conversation in the group (or of the closed one a reply was written in) when
 * that was restricted. Only active members of the group stay on it.
 */
export async function newConversationVisibility(
  tx: EntityManager,
  group: Group,
  contact: Contact,
  repliedIn?: Conversation | null,
): Promise<string[] | null> {
  const latest = await tx.findOne(
    Conversation,
    { contact, group, status: { $ne: 'deleted' } },
    { orderBy: { number: 'desc' }, fields: ['id', 'visibleToIds'] },
  );
  const restrictions = [contact.defaultVisibleToIds, latest?.visibleToIds, repliedIn?.visibleToIds];
  const named = [...new Set(restrictions.flatMap((l) => l ?? []))];
  const eligible =
    named.length === 0
      ? []
      : await tx.find(
          User,
          { id: { $in: named }, active: true, groupIds: { $contains: [group.id] } },
          { fields: ['id'] },
        );
  const ids = new Set(eligible.map((u) => u.id));
  return inheritedVisibility(restrictions, (id) => ids.has(id));
}
