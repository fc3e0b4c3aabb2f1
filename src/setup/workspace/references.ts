import type { Group, User } from '../../db/entities/index.ts';
import type { InputIssue } from '../../use-cases/input.ts';
import { groupNameKey } from '../groups.ts';
import type { WorkspaceFile } from './schema.ts';

/**
 * Checks, before anything is written, that every group and user the file refers to exists in the
 * file or in the workspace, and that no Slack/Teams id is claimed from a user the file does not list.
 */
export function findReferenceIssues(
  doc: WorkspaceFile,
  groups: ReadonlyMap<string, Group>,
  users: ReadonlyMap<string, User>,
): InputIssue[] {
  const issues: InputIssue[] = [];
  // `groups` is keyed by groupNameKey: a name matches whatever its case.
  const groupNames = new Set([...groups.keys(), ...doc.groups.map((g) => groupNameKey(g.name))]);
  const emails = new Set([...users.keys(), ...doc.users.map((u) => u.email)]);
  const unknownGroup = (path: string, name: string) => {
    if (!groupNames.has(groupNameKey(name))) {
      issues.push({ path, message: `unknown group "${name}": add it under groups, or fix the name` });
    }
  };
  const unknownUser = (path: string, email: string) => {
    if (!emails.has(email))
      issues.push({ path, message: `unknown user ${email}: add it under users, or fix the email` });
  };
  doc.users.forEach((u, i) => {
    u.groups?.forEach((name, j) => {
      unknownGroup(`users[${i}].groups[${j}]`, name);
    });
  });
  doc.endpoints.forEach((e, i) => {
    unknownGroup(`endpoints[${i}].group`, e.group);
  });
  doc.contacts.forEach((c, i) => {
    c.defaultAssignees?.forEach((email, j) => {
      unknownUser(`contacts[${i}].defaultAssignees[${j}]`, email);
    });
    c.defaultVisibleTo?.forEach((email, j) => {
      unknownUser(`contacts[${i}].defaultVisibleTo[${j}]`, email);
    });
  });
  doc.savedReplies.forEach((r, i) => {
    if (r.user) unknownUser(`savedReplies[${i}].user`, r.user);
  });
  const fileUsers = new Map(doc.users.map((u) => [u.email, u]));
  doc.users.forEach((u, i) => {
    for (const field of ['slackUserId', 'teamsUserId'] as const) {
      const value = u[field];
      if (!value) continue;
      const holder = [...users.values()].find((x) => x[field] === value && x.email !== u.email);
      // The holder keeps the id unless the file gives them another one.
      if (holder && (fileUsers.get(holder.email)?.[field] ?? holder[field]) === value) {
        issues.push({ path: `users[${i}].${field}`, message: `already belongs to ${holder.email}` });
      }
    }
  });
  return issues;
}
