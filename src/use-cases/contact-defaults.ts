import { z } from 'zod';
import { Contact, User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { assertAssigneesCanSee, listNames, uniqueIds } from '../domain/assignment.ts';
import { AppError } from '../domain/errors.ts';
import { normalizeVisibleTo } from '../domain/visibility.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser } from './load.ts';
import { audit } from './timeline.ts';

/**
 * R16/R19: a contact's default assignees and default visibility, applied by `openConversation`
 * to every new inbound conversation from that contact. Contacts belong to the account, so any
 * admin or agent of the account's groups may set them, naming users who share a group with them.
 */
export const setContactDefaultsInput = z.strictObject({
  contactId: z.uuid(),
  defaultAssigneeIds: z.array(z.uuid()).max(50),
  /** null: new conversations are visible to the whole group. */
  defaultVisibleToIds: z.array(z.uuid()).max(200).nullable(),
});
export type SetContactDefaultsInput = z.input<typeof setContactDefaultsInput>;

export async function setContactDefaults(
  ctx: UseCaseContext,
  actor: Actor,
  input: SetContactDefaultsInput,
): Promise<WithEvents<{ contact: Contact }>> {
  const parsed = parseInput(setContactDefaultsInput, input);
  return inTransaction(ctx, async (tx, _record, now) => {
    const user = await loadActingUser(tx, actor);
    if (user.groupIds.length === 0) {
      throw new AppError(
        'forbidden',
        'You are not in any group, so you cannot manage contacts. Ask an admin.',
        {
          rule: 'R33',
        },
      );
    }
    const contact = await tx.findOne(Contact, { id: parsed.contactId, account: user.account.id });
    if (!contact) throw new AppError('not_found', 'That contact does not exist in your account.');
    // R34: a confidential contact's defaults are changed only by someone on their list (or an
    // admin): otherwise anyone could put themselves on the list of the contact's next conversation.
    const current = contact.defaultVisibleToIds;
    if (current && user.role !== 'admin' && !current.includes(user.id)) {
      throw new AppError(
        'forbidden',
        "This contact's conversations are restricted to a list you are not on, so you cannot change their defaults. Ask an admin or someone on the list.",
        { rule: 'R34' },
      );
    }

    const assigneeIds = uniqueIds(parsed.defaultAssigneeIds);
    // R17: whoever restricts is on the list, for default visibility as for a conversation's.
    const visibleTo = parsed.defaultVisibleToIds && normalizeVisibleTo(parsed.defaultVisibleToIds, user.id);
    const ids = uniqueIds([...assigneeIds, ...(visibleTo ?? [])]);
    const users = ids.length > 0 ? await tx.find(User, { id: { $in: ids }, account: user.account.id }) : [];
    const usable = users.filter((u) => u.active && u.groupIds.some((g) => user.groupIds.includes(g)));
    const refused = ids.filter((id) => !usable.some((u) => u.id === id));
    if (refused.length > 0) {
      const named = users.filter((u) => refused.includes(u.id)).map((u) => u.name);
      throw new AppError(
        'rule_violation',
        `${listNames(named.length > 0 ? named : refused)} cannot be used as defaults: pick active users of your groups.`,
        { rule: 'R19', userIds: refused },
      );
    }
    // R18 holds for defaults too.
    assertAssigneesCanSee(
      visibleTo,
      usable.filter((u) => assigneeIds.includes(u.id)),
    );

    contact.defaultAssigneeIds = assigneeIds;
    contact.defaultVisibleToIds = visibleTo;
    audit(
      tx,
      user.account,
      actor,
      'contact.defaults_changed',
      null,
      { contactId: contact.id, assigneeIds, visibleToIds: visibleTo },
      now,
    );
    return { contact };
  });
}
