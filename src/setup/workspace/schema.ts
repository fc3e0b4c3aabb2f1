import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { toInputIssues, validationError } from '../../use-cases/input.ts';
import { savedReplyName, savedReplyText } from '../../use-cases/saved-replies.ts';
import { withEndpointRules } from '../channel-input.ts';
import { groupNameKey } from '../groups.ts';
import {
  accountPatchSchema,
  channelSchema,
  groupCreateSchema,
  identitySchema,
  portalProfileSchema,
  roleSchema,
  userCreateSchema,
} from '../schemas.ts';
import { strictObject } from '../strict-object.ts';

/**
 * The declarative workspace file (YAML or JSON). Records are matched by natural key (group name,
 * user email, endpoint channel + address, contact identity); groups are named, not given by id.
 * A key left out keeps the stored value; `null` clears it; a list given replaces the stored list.
 */

const email = userCreateSchema.shape.email;
const name = z.string().trim().min(1).max(200);

const groupEntry = strictObject(groupCreateSchema.shape);

const userEntry = strictObject({
  email,
  name,
  role: roleSchema.optional(),
  /** Group names; the user belongs to exactly these. */
  groups: z.array(name).optional(),
  slackUserId: userCreateSchema.shape.slackUserId,
  teamsUserId: userCreateSchema.shape.teamsUserId,
  active: z.boolean().optional(),
});

/** Address and settings are checked by the endpoint's channel, as at every door; an SMS number is kept in E.164. */
const endpointEntry = withEndpointRules(
  strictObject({
    group: name,
    channel: channelSchema,
    address: z.string().trim().min(1).max(200),
    name,
    settings: z.record(z.string(), z.unknown()).optional(),
  }),
);

const contactEntry = strictObject({
  name: name.nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(60)).optional(),
  identities: z.array(identitySchema).min(1, 'a contact needs at least one identity'),
  portalProfile: portalProfileSchema.nullable().optional(),
  optedOutChannels: z.array(channelSchema).optional(),
  /** Emails of the users new conversations are assigned to (R16). */
  defaultAssignees: z.array(email).optional(),
  /** Emails of the users new inbound conversations are restricted to (R19); null for the whole group. */
  defaultVisibleTo: z.array(email).nullable().optional(),
});

/** R40: a saved reply, the team's or (with `user`) that user's own; matched by owner and name. */
const savedReplyEntry = strictObject({
  name: savedReplyName,
  text: savedReplyText,
  /** The email of the user whose own it is; absent: the team's. */
  user: email.optional(),
});

/** Reports the second occurrence of a natural key, at its path. */
function noDuplicates<T>(
  list: T[],
  key: (item: T) => string[],
  label: string,
  at: string,
  ctx: z.RefinementCtx,
  /** What makes two keys the same (group names: whatever their case). */
  same: (k: string) => string = (k) => k,
) {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    for (const k of key(item)) {
      const first = seen.get(same(k));
      if (first !== undefined && first !== i) {
        ctx.addIssue({ code: 'custom', path: [at, i], message: `${label} ${k} is also at ${at}[${first}]` });
      }
      seen.set(same(k), i);
    }
  });
}

export const workspaceFileSchema = z
  .strictObject({
    account: z.strictObject(accountPatchSchema.shape).optional(),
    groups: z.array(groupEntry).default([]),
    users: z.array(userEntry).default([]),
    endpoints: z.array(endpointEntry).default([]),
    contacts: z.array(contactEntry).default([]),
    savedReplies: z.array(savedReplyEntry).default([]),
  })
  .superRefine((doc, ctx) => {
    noDuplicates(doc.groups, (g) => [g.name], 'group', 'groups', ctx, groupNameKey);
    noDuplicates(doc.users, (u) => [u.email], 'email', 'users', ctx);
    noDuplicates(doc.users, (u) => (u.slackUserId ? [u.slackUserId] : []), 'Slack user id', 'users', ctx);
    noDuplicates(doc.users, (u) => (u.teamsUserId ? [u.teamsUserId] : []), 'Teams user id', 'users', ctx);
    noDuplicates(doc.endpoints, (e) => [`${e.channel}:${e.address}`], 'endpoint', 'endpoints', ctx);
    noDuplicates(
      doc.savedReplies,
      (r) => [`${r.user ?? 'the team'}: ${r.name}`],
      'saved reply',
      'savedReplies',
      ctx,
      (k) => k.toLowerCase(),
    );
    noDuplicates(
      doc.contacts,
      (c) => c.identities.map((i) => `${i.channel}:${i.address}`),
      'identity',
      'contacts',
      ctx,
    );
  });

export type WorkspaceFile = z.output<typeof workspaceFileSchema>;
export type WorkspaceFileInput = z.input<typeof workspaceFileSchema>;

export function parseWorkspaceDoc(doc: unknown, source = 'workspace file'): WorkspaceFile {
  const result = workspaceFileSchema.safeParse(doc ?? {});
  if (!result.success) throw validationError(toInputIssues(result.error), `${source} is not valid`);
  return result.data;
}

/** Reads YAML or JSON text (JSON is YAML); syntax errors name the line. */
export function parseWorkspaceText(text: string, source = 'workspace file'): WorkspaceFile {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const line = e.linePos?.[0]?.line;
      throw new AppError(
        'bad_request',
        `${source}${line ? ` line ${line}` : ''}: ${e.message.split('\n')[0]}`,
      );
    }
    throw e;
  }
  return parseWorkspaceDoc(doc, source);
}
