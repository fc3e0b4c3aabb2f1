import type { EntityManager } from '@mikro-orm/postgresql';
import { Account, Group, User } from '../../db/entities/index.ts';
import { validationError } from '../../use-cases/input.ts';
import { currentAccount } from '../account.ts';
import { adminApiActor, auditSetup, type SetupActor } from '../actor.ts';
import { refuseOnConstraint } from '../db-errors.ts';
import { groupNameKey } from '../groups.ts';
import { applyContacts, applyEndpoints, applyGroups, applyUsers, type Known } from './apply-records.ts';
import { applySavedReplies } from './apply-saved-replies.ts';
import { findReferenceIssues } from './references.ts';
import { parseWorkspaceDoc, type WorkspaceFileInput } from './schema.ts';
import { type ApplySummary, countChanges, emptyKind } from './summary.ts';

export interface ApplyOptions {
  /** Work out the plan inside the transaction, then roll it back. */
  dryRun?: boolean;
  actor?: SetupActor;
  /** Names the file in error messages. */
  source?: string;
}

/** Carries a dry run's plan out of the transaction it rolls back. */
class DryRunRollback extends Error {
  readonly summary: ApplySummary;
  constructor(summary: ApplySummary) {
    super('dry run');
    this.summary = summary;
  }
}

/**
 * Makes the workspace match the file, in one transaction: creates what is missing, updates what
 * differs, leaves alone what the file does not mention (it never deletes). Running it twice
 * changes nothing the second time. A file that names an unknown group or user writes nothing.
 */
export async function applyWorkspace(
  em: EntityManager,
  input: WorkspaceFileInput,
  opts: ApplyOptions = {},
): Promise<ApplySummary> {
  const doc = parseWorkspaceDoc(input, opts.source);
  const actor = opts.actor ?? adminApiActor;
  const dryRun = opts.dryRun ?? false;
  try {
    return await refuseOnConstraint(
      () =>
        em.transactional(async (tx) => {
          const summary: ApplySummary = {
            dryRun,
            account: 'unchanged',
            groups: emptyKind(),
            users: emptyKind(),
            endpoints: emptyKind(),
            contacts: emptyKind(),
            savedReplies: emptyKind(),
          };
          const hadAccount = (await tx.count(Account, {})) > 0;
          const account = await currentAccount(tx, doc.account?.name);
          if (!hadAccount) summary.account = 'created';
          else if (doc.account && doc.account.name !== account.name) {
            account.name = doc.account.name;
            summary.account = 'updated';
          }
          const known: Known = {
            account,
            groups: new Map((await tx.find(Group, { account })).map((g) => [groupNameKey(g.name), g])),
            users: new Map((await tx.find(User, { account })).map((u) => [u.email, u])),
          };
          const issues = findReferenceIssues(doc, known.groups, known.users);
          if (issues.length > 0)
            throw validationError(issues, `${opts.source ?? 'The workspace file'} cannot be applied`);
          await applyGroups(tx, doc, known, summary.groups);
          await applyUsers(tx, doc, known, summary.users, actor);
          await applyEndpoints(tx, doc, known, summary.endpoints);
          await applyContacts(tx, doc, known, summary.contacts);
          await applySavedReplies(tx, doc, known, summary.savedReplies);
          if (countChanges(summary) > 0) {
            auditSetup(tx, account, actor, 'workspace.applied', { changes: countChanges(summary) });
          }
          await tx.flush();
          if (dryRun) throw new DryRunRollback(summary);
          return summary;
        }),
      'The workspace file clashes with a record changed at the same time; run it again.',
    );
  } catch (e) {
    if (e instanceof DryRunRollback) return e.summary;
    throw e;
  }
}
