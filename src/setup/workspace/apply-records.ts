import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type Account,
  ChannelEndpoint,
  Contact,
  ContactIdentity,
  Group,
  User,
} from '../../db/entities/index.ts';
import { AppError } from '../../domain/errors.ts';
import { slaSettingsChanged } from '../../use-cases/sla-clock.ts';
import { applyUserAccessChange, userFacts } from '../../use-cases/user-access.ts';
import type { SetupActor } from '../actor.ts';
import { addIdentity, checkContactDefaults, syncPortalIdentity } from '../contacts.ts';
import { checkGroupLinks, groupNameKey } from '../groups.ts';
import { applyChanges } from '../patch.ts';
import type { WorkspaceFile } from './schema.ts';
import { type KindSummary, note } from './summary.ts';

/** One upsert per kind, matched by natural key. Nothing the file leaves out is deleted. */

export interface Known {
  account: Account;
  groups: Map<string, Group>;
  users: Map<string, User>;
}

/** Re-raises a refusal with the file path in front, so the admin knows which entry to fix. */
async function at<T>(path: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError) throw new AppError(e.code, `${path}: ${e.message}`, e.details);
    throw e;
  }
}

export async function applyGroups(tx: EntityManager, doc: WorkspaceFile, known: Known, out: KindSummary) {
  for (const [i, { name, ...fields }] of doc.groups.entries()) {
    // Matched whatever the case; the file's spelling of the name is the one kept.
    let group = known.groups.get(groupNameKey(name));
    if (!group) {
      group = tx.create(Group, { account: known.account, name, ...fields });
      known.groups.set(groupNameKey(name), group);
      note(out, name, 'created');
    } else {
      const hadSla = group.sla != null;
      const changed = applyChanges(group, { name, ...fields });
      note(out, name, changed);
      await slaSettingsChanged(tx, group, { hadSla, changed, now: new Date() });
    }
    const g = group;
    await at(`groups[${i}]`, () => checkGroupLinks(g));
  }
}

export async function applyUsers(
  tx: EntityManager,
  doc: WorkspaceFile,
  known: Known,
  out: KindSummary,
  actor: SetupActor,
) {
  for (const { email, groups, ...fields } of doc.users) {
    const groupIds = groups?.map((name) => known.groups.get(groupNameKey(name))!.id);
    const user = known.users.get(email);
    if (!user) {
      const created = tx.create(User, {
        account: known.account,
        email,
        ...fields,
        role: fields.role ?? 'agent',
        groupIds: groupIds ?? [],
        active: fields.active ?? true,
      });
      known.users.set(email, created);
      note(out, email, 'created');
    } else {
      const before = userFacts(user);
      note(out, email, applyChanges(user, { ...fields, groupIds }));
      // R34/R35 as for every other door; the reconciler carries the rows' consequences out.
      await applyUserAccessChange(tx, before, user, actor, new Date());
    }
  }
}

export async function applyEndpoints(tx: EntityManager, doc: WorkspaceFile, known: Known, out: KindSummary) {
  for (const { group: groupName, channel, address, ...fields } of doc.endpoints) {
    const group = known.groups.get(groupNameKey(groupName))!;
    const key = `${channel} ${address}`;
    const endpoint = await tx.findOne(ChannelEndpoint, { channel, address });
    if (!endpoint) {
      tx.create(ChannelEndpoint, {
        account: known.account,
        group,
        channel,
        address,
        ...fields,
        settings: fields.settings ?? {},
      });
      note(out, key, 'created');
      continue;
    }
    const changed = applyChanges(endpoint, fields);
    if (endpoint.group.id !== group.id) {
      endpoint.group = group;
      changed.push('group');
    }
    note(out, key, changed);
  }
}

export async function applyContacts(tx: EntityManager, doc: WorkspaceFile, known: Known, out: KindSummary) {
  const userIds = (emails: string[]) => emails.map((e) => known.users.get(e)!.id);
  for (const [i, entry] of doc.contacts.entries()) {
    const { identities, defaultAssignees, defaultVisibleTo, ...fields } = entry;
    const key = entry.name ?? `${identities[0]!.channel} ${identities[0]!.address}`;
    const found = await tx.find(ContactIdentity, { account: known.account, $or: identities });
    const owners = [...new Set(found.map((f) => f.contact.id))];
    if (owners.length > 1) {
      throw new AppError(
        'conflict',
        `contacts[${i}].identities: these addresses belong to different contacts.`,
        {
          contactIds: owners,
        },
      );
    }
    const existing = owners[0] ? await tx.findOneOrFail(Contact, { id: owners[0] }) : null;
    const contact = existing ?? tx.create(Contact, { account: known.account, name: null });
    const previousPortalId = existing?.portalProfile?.externalId;
    const changed = applyChanges(contact, {
      ...fields,
      defaultAssigneeIds: defaultAssignees && userIds(defaultAssignees),
      defaultVisibleToIds: defaultVisibleTo === null ? null : defaultVisibleTo && userIds(defaultVisibleTo),
    });
    const missing = identities.filter(
      (id) => !found.some((f) => f.channel === id.channel && f.address === id.address),
    );
    await at(`contacts[${i}]`, async () => {
      for (const id of missing) await addIdentity(tx, contact, id.channel, id.address);
      if (!existing || changed.includes('portalProfile'))
        await syncPortalIdentity(tx, contact, previousPortalId);
      await checkContactDefaults(tx, known.account, contact);
    });
    if (existing && missing.length > 0) changed.push('identities');
    note(out, key, existing ? changed : 'created');
  }
}
