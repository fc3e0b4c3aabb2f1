import type { App as BoltApp, ViewStateValue, ViewSubmitAction } from '@slack/bolt';
import { User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { listNames } from '../../../src/domain/assignment.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import { addNote } from '../../../src/use-cases/add-note.ts';
import { assignConversation } from '../../../src/use-cases/assign-conversation.ts';
import { parseInput } from '../../../src/use-cases/input.ts';
import { loadConversationFor } from '../../../src/use-cases/load.ts';
import { conversationIdInput } from '../../../src/use-cases/management-support.ts';
import { restrictVisibility } from '../../../src/use-cases/restrict-visibility.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeText } from './escape.ts';
import { linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';

/**
 * The dialogs behind the header buttons "Assign…", "Visibility…" and "Add note" (R30), and what
 * their submission does. A refusal is shown on the field it concerns, inside the still-open modal.
 */

/** The conversation a modal acts on: its id (the modal's private_metadata) and how it is named. */
export interface ModalSubject {
  conversationId: string;
  number: number;
  /** One mrkdwn line naming it; customer-controlled parts already escaped. */
  about: string;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
/** Slack refuses modal titles longer than 24 characters. */
const title = (text: string) => plain(text.length > 24 ? `${text.slice(0, 23)}…` : text);
// `verbatim`: Slack does not link bare names or URLs in the customer's name.
const aboutBlock = (s: ModalSubject) => ({
  type: 'section',
  text: { type: 'mrkdwn', text: s.about, verbatim: true },
});
const usersSelect = (initial: string[]) => ({
  type: 'multi_users_select',
  action_id: 'users',
  placeholder: plain('Pick people'),
  ...(initial.length > 0 ? { initial_users: initial } : {}),
});
const modal = (callbackId: string, s: ModalSubject, heading: string, submit: string, blocks: unknown[]) => ({
  type: 'modal',
  callback_id: callbackId,
  private_metadata: s.conversationId,
  title: title(heading),
  submit: plain(submit),
  close: plain('Cancel'),
  blocks: [aboutBlock(s), ...blocks],
});

/** Who a modal's user picker starts with: people on Slack, and people it cannot show (not on Slack). */
export interface PickerPeople {
  slackIds: string[];
  offSlack: { id: string; name: string }[];
}

/** People the picker cannot show are kept on submission; the modal says so. */
const offSlackNote = (what: string, people: PickerPeople) =>
  people.offSlack.length === 0
    ? []
    : [
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: `${what}, not on Slack (they stay): ${escapeText(listNames(people.offSlack.map((u) => u.name)))}`,
              verbatim: true,
            },
          ],
        },
      ];

/** Assign…: the people picked become the assignees; nobody picked unassigns (R15). */
export const assignModal = (s: ModalSubject, assignees: PickerPeople) =>
  modal('parley_assign', s, `Assign #${s.number}`, 'Assign', [
    {
      type: 'input',
      block_id: 'users',
      optional: true,
      label: plain('Assignees'),
      hint: plain('Users of the group. Leave it empty to unassign everyone.'),
      element: usersSelect(assignees.slackIds),
    },
    ...offSlackNote('Also assigned', assignees),
  ]);

const EVERYONE = { text: plain('Everyone in the group'), value: 'everyone' };
const LISTED = { text: plain('Only these people'), value: 'list' };

/** Visibility…: the whole group, or a list of its users (R17, R31). `listed` null: not restricted. */
export const visibilityModal = (s: ModalSubject, listed: PickerPeople | null) =>
  modal('parley_visibility', s, `Who sees #${s.number}`, 'Save', [
    {
      type: 'input',
      block_id: 'scope',
      label: plain('Who can see this conversation'),
      element: {
        type: 'radio_buttons',
        action_id: 'scope',
        options: [EVERYONE, LISTED],
        initial_option: listed === null ? EVERYONE : LISTED,
      },
    },
    {
      type: 'input',
      block_id: 'users',
      optional: true,
      label: plain('Only these people'),
      hint: plain('You stay on the list. Assignees left off it are unassigned.'),
      element: usersSelect(listed?.slackIds ?? []),
    },
    ...(listed ? offSlackNote('Also on the list', listed) : []),
  ]);

/** Add note: private to the team, never sent to the customer (R5). */
export const noteModal = (s: ModalSubject) =>
  modal('parley_note', s, `Note on #${s.number}`, 'Add note', [
    {
      type: 'input',
      block_id: 'note',
      label: plain('Note (only your team sees it)'),
      element: { type: 'plain_text_input', action_id: 'text', multiline: true },
    },
  ]);

/** The longest text Slack's plain_text_input takes (its max_length may not be set higher). */
export const SLACK_INPUT_MAX = 3000;
export const AI_DRAFT_EDIT_CALLBACK = 'parley_ai_draft_edit';

/**
 * Edit… on an AI draft (R36): its text, to change before it is sent as the user's reply. The
 * modal's private_metadata is the draft's message id; ai-draft-actions.ts handles the submission.
 */
export const aiDraftModal = (s: ModalSubject, draftId: string, text: string) => ({
  type: 'modal',
  callback_id: AI_DRAFT_EDIT_CALLBACK,
  private_metadata: draftId,
  title: title(`AI draft on #${s.number}`),
  submit: plain('Send'),
  close: plain('Cancel'),
  blocks: [
    aboutBlock(s),
    {
      type: 'input',
      block_id: 'draft',
      label: plain('Answer to the customer'),
      hint: plain('Send delivers it to the customer as your reply.'),
      element: {
        type: 'plain_text_input',
        action_id: 'text',
        multiline: true,
        max_length: SLACK_INPUT_MAX,
        ...(text ? { initial_value: text } : {}),
      },
    },
  ],
});

type Values = Record<string, Record<string, ViewStateValue>>;
type FieldErrors = Record<string, string>;
/** What a submission handler decides: nothing to say (the modal closes) or errors on fields. */
type Outcome = FieldErrors | undefined;

export function registerModalSubmissions(app: BoltApp, deps: SlackHandlerDeps): void {
  const on = (
    callbackId: string,
    mainBlock: string,
    run: (user: User, conversationId: string, values: Values) => Promise<Outcome>,
  ) =>
    app.view<ViewSubmitAction>(callbackId, async ({ ack, body }) => {
      const errors = await submit(deps, body, mainBlock, run);
      // Slack takes one answer per submission: field errors keep the modal open, none closes it.
      await ack(errors ? { response_action: 'errors', errors } : undefined);
    });

  on('parley_assign', 'users', async (user, conversationId, values) => {
    const picked = await parleyUsersFor(deps, user, values.users?.users?.selected_users ?? []);
    if (picked.unlinked.length > 0) return { users: unlinkedText(picked.unlinked) };
    const conv = await loadConversationFor(deps.em(), user, conversationId, { lock: false });
    const kept = await offSlackIds(deps, conv.assigneeIds);
    await assignConversation(deps.context(), userActor(user.id), {
      conversationId,
      assigneeIds: [...picked.ids, ...kept],
    });
  });

  on('parley_visibility', 'scope', async (user, conversationId, values) => {
    let visibleToIds: string[] | null = null;
    if (values.scope?.scope?.selected_option?.value === LISTED.value) {
      const picked = await parleyUsersFor(deps, user, values.users?.users?.selected_users ?? []);
      if (picked.unlinked.length > 0) return { users: unlinkedText(picked.unlinked) };
      const conv = await loadConversationFor(deps.em(), user, conversationId, { lock: false });
      visibleToIds = [...picked.ids, ...(await offSlackIds(deps, conv.visibleToIds ?? []))];
    }
    try {
      await restrictVisibility(deps.context(), userActor(user.id), { conversationId, visibleToIds });
    } catch (err) {
      // A refusal about people on the list belongs next to the list.
      if (isAppError(err) && Array.isArray(err.details?.userIds)) return { users: err.message };
      throw err;
    }
  });

  on('parley_note', 'note', async (user, conversationId, values) => {
    await addNote(deps.context(), userActor(user.id), {
      conversationId,
      text: values.note?.text?.value ?? '',
    });
  });
}

async function submit(
  deps: SlackHandlerDeps,
  body: ViewSubmitAction,
  mainBlock: string,
  run: (user: User, conversationId: string, values: Values) => Promise<Outcome>,
): Promise<Outcome> {
  const user = await linkedUser(deps.em(), body.user.id, (id) => lookupEmail(deps, id));
  if (!user) return { [mainBlock]: notLinkedText };
  try {
    const { conversationId } = parseInput(conversationIdInput, {
      conversationId: body.view.private_metadata,
    });
    return await run(user, conversationId, body.view.state.values);
  } catch (err) {
    if (!isAppError(err)) throw err;
    return { [mainBlock]: err.message };
  }
}

const unlinkedText = (names: string[]) =>
  `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} not linked to Parley yet, so ${
    names.length === 1 ? 'they' : 'these people'
  } cannot be picked. Ask a Parley admin to run \`/parley link @person their@email\`, or pick someone else.`;

/**
 * The Parley users of the acting user's account behind Slack users picked in a modal, in the order
 * picked. Someone not linked yet is linked by their Slack email where it matches (R33); the others
 * are named so the modal can say who.
 */
export async function parleyUsersFor(
  deps: SlackHandlerDeps,
  actor: User,
  slackUserIds: readonly string[],
): Promise<{ ids: string[]; unlinked: string[] }> {
  const profiles = new Map<string, Promise<SlackProfile>>();
  const profile = (id: string) => {
    if (!profiles.has(id)) profiles.set(id, slackProfile(deps, id));
    return profiles.get(id)!;
  };
  const ids: string[] = [];
  const unlinked: string[] = [];
  for (const slackId of new Set(slackUserIds)) {
    // A linked user who is inactive is still found here: the use-case then says so by name.
    const user =
      (await deps.em().findOne(User, { slackUserId: slackId, account: actor.account.id })) ??
      (await linkedUser(deps.em(), slackId, async (id) => (await profile(id)).email));
    if (user && user.account.id === actor.account.id) ids.push(user.id);
    else unlinked.push((await profile(slackId)).name);
  }
  return { ids, unlinked };
}

interface SlackProfile {
  email: string | null;
  name: string;
}

async function slackProfile(deps: SlackHandlerDeps, slackUserId: string): Promise<SlackProfile> {
  const res = await deps.api
    .call<{
      user?: {
        name?: string;
        real_name?: string;
        profile?: { email?: string; display_name?: string; real_name?: string };
      };
    }>('users.info', { user: slackUserId })
    .catch(() => ({ user: undefined }));
  const u = res.user;
  const name = u?.profile?.display_name || u?.profile?.real_name || u?.real_name || u?.name || slackUserId;
  return { email: u?.profile?.email ?? null, name };
}

/** These Parley users as a Slack user picker shows them, in order. */
export async function pickerPeople(
  deps: SlackHandlerDeps,
  userIds: readonly string[],
): Promise<PickerPeople> {
  if (userIds.length === 0) return { slackIds: [], offSlack: [] };
  const users = await deps.em().find(User, { id: { $in: [...userIds] } });
  const ordered = userIds.flatMap((id) => users.filter((u) => u.id === id));
  return {
    slackIds: ordered.flatMap((u) => u.slackUserId ?? []),
    offSlack: ordered.filter((u) => !u.slackUserId).map((u) => ({ id: u.id, name: u.name })),
  };
}

const offSlackIds = async (deps: SlackHandlerDeps, userIds: readonly string[]) =>
  (await pickerPeople(deps, userIds)).offSlack.map((u) => u.id);
