import { describe, expect, it } from 'vitest';
import { isParseError, type ParsedCommand, parseCommand } from '../../src/commands/parse-command.ts';
import { type CommandInput, type CommandResult, runCommand } from '../../src/commands/run-command.ts';
import { ChannelEndpoint, Conversation, Group, Message, User } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { seedContact } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';
import { isConversationUnreadFor } from '../support/unread.ts';
import { addUser, openConv, refusal, reload, workspace } from '../use-cases/management/support.ts';

const db = await createTestDb();
const ws = await workspace(db);

// Slack ids of the workspace's users (Carol is in the Sales group only).
const slackIds = { admin: 'UADA', alice: 'UALICE', bob: 'UBOB', carol: 'UCAROL' } as const;
for (const [key, slackUserId] of Object.entries(slackIds)) {
  await db.em().nativeUpdate(User, { id: ws[key as keyof typeof slackIds].id }, { slackUserId });
}

type Who = keyof typeof slackIds;

/** Types `text` as `who` would after `/parley `, and runs it like the Slack surface will. */
async function run(who: Who, text: string, extra: Partial<CommandInput> = {}): Promise<CommandResult> {
  const command = parseCommand(text);
  if (isParseError(command)) throw new Error(`"${text}" did not parse: ${command.message}`);
  return runCommand({ em: db.em() }, { command, actor: userActor(ws[who].id), surface: 'slack', ...extra });
}

async function say(who: Who, text: string, extra: Partial<CommandInput> = {}): Promise<string> {
  const result = await run(who, text, extra);
  if (result.kind !== 'message') throw new Error(`expected a message, got ${result.kind}`);
  return result.text;
}

const listed = (result: CommandResult) => (result.kind === 'list' ? result.items.map((i) => i.number) : []);

describe('runCommand: assigning and visibility (R15, R17, R18, R30)', () => {
  it('R15/R30: assign with two mentions makes them the assignees and says so', async () => {
    const conv = await openConv(db, ws);
    const text = await say('alice', `assign #${conv.number} <@UBOB|bob> <@UALICE>`);
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.bob.id, ws.alice.id]);
    expect(text).toBe(`Assigned #${conv.number} to Bob and you.`);
  });

  it('R15/R30: in the thread the conversation is implied; `assign me` adds the user to the assignees', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.bob] });
    await say('alice', 'assign me', { impliedConversationId: conv.id });
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.bob.id, ws.alice.id]);
  });

  it('R30: without a number outside a thread, the user is told to name the conversation', async () => {
    const error = await refusal(run('alice', 'close'), 'bad_request');
    expect(error.message).toContain('`/parley close #1042`');
  });

  it('R30: mentioning a chat user who is not linked is refused by mention, with how to link them', async () => {
    const conv = await openConv(db, ws);
    const error = await refusal(run('alice', `assign #${conv.number} <@UNOBODY>`), 'bad_request');
    expect(error.message).toContain('<@UNOBODY> is not linked');
    expect(error.message).toContain('/parley link @them their@email');
    expect((await reload(db, conv.id)).assigneeIds).toEqual([]);
  });

  it('R15: `unassign` alone takes the user off; with nobody of theirs on it, it unassigns everybody', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice, ws.bob] });
    expect(await say('alice', `unassign #${conv.number}`)).toBe(
      `Unassigned you from #${conv.number}. It stays assigned to Bob.`,
    );
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.bob.id]);
    await say('alice', `unassign #${conv.number}`);
    expect((await reload(db, conv.id)).assigneeIds).toEqual([]);
    expect(await say('alice', `unassign #${conv.number}`)).toBe(`#${conv.number} has no assignees.`);
  });

  it('R17/R18: visibility restricts to the mentioned users plus the user; everyone lifts it', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.admin] });
    const text = await say('alice', `visibility #${conv.number} <@UBOB>`);
    const restricted = await reload(db, conv.id);
    expect(restricted.visibleToIds).toEqual([ws.alice.id, ws.bob.id]);
    expect(restricted.assigneeIds).toEqual([]);
    expect(text).toBe(
      `#${conv.number} is now visible only to you and Bob. Ada is no longer assigned, as they cannot see it.`,
    );
    await say('bob', `visibility #${conv.number} everyone`);
    expect((await reload(db, conv.id)).visibleToIds).toBeNull();
  });

  it('R17: a restricted conversation is "not found" by number for a user off its list, and nothing is written', async () => {
    const conv = await openConv(db, ws, { visibleTo: [ws.bob] });
    const error = await refusal(run('alice', `note #${conv.number} checking`), 'not_found');
    expect(error.message).toBe(`There is no conversation #${conv.number} you can see.`);
    expect(await db.em().count(Message, { conversation: conv.id, kind: 'note' })).toBe(0);
    await say('bob', `note #${conv.number} checking`);
    expect(await db.em().count(Message, { conversation: conv.id, kind: 'note' })).toBe(1);
  });
});

describe('runCommand: closing, deleting, AI and reading (R12, R14, R20, R24, R33)', () => {
  it('R33: an agent outside the conversation’s group cannot act on it; the number is not even confirmed', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    await refusal(run('carol', `close #${conv.number}`), 'not_found');
    await refusal(run('carol', 'close', { impliedConversationId: conv.id }), 'not_found');
    expect((await reload(db, conv.id)).status).toBe('open');
  });

  it('R20/R33: an agent who is not an assignee cannot close it; an assignee can', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    await refusal(run('bob', `close #${conv.number}`), 'forbidden', 'R20');
    expect(await say('alice', `close #${conv.number}`)).toBe(`#${conv.number} is closed.`);
    expect((await reload(db, conv.id)).status).toBe('closed');
    expect(await say('alice', `reopen #${conv.number}`)).toBe(`#${conv.number} is open again.`);
    expect((await reload(db, conv.id)).status).toBe('open');
  });

  it('R24: delete without confirm is refused before anything runs; with it, only an admin deletes', async () => {
    const conv = await openConv(db, ws);
    const unconfirmed = parseCommand(`delete #${conv.number}`);
    expect(isParseError(unconfirmed) && unconfirmed.message).toContain('cannot be undone');
    await refusal(run('alice', `delete #${conv.number} confirm`), 'forbidden', 'R24');
    expect((await reload(db, conv.id)).status).toBe('open');
    expect(await say('admin', `delete #${conv.number} confirm`)).toContain(`#${conv.number} is deleted`);
    expect((await reload(db, conv.id)).status).toBe('deleted');
    expect(await db.em().count(Message, { conversation: conv.id })).toBe(0);
  });

  it('R24/R17: an admin deletes a restricted conversation they are not on the list of', async () => {
    const conv = await openConv(db, ws, { visibleTo: [ws.bob] });
    await say('admin', `delete #${conv.number} confirm`);
    expect((await reload(db, conv.id)).status).toBe('deleted');
  });

  it('R14: ai on is refused in a group without an AI agent; with one, it hands over and ai off takes back', async () => {
    const conv = await openConv(db, ws);
    const error = await refusal(run('alice', `ai #${conv.number} on`), 'rule_violation', 'R14');
    expect(error.message).toContain('no AI agent');
    await db.em().nativeUpdate(Group, { id: ws.group.id }, { aiAgent: { enabled: true, name: 'Parley AI' } });
    try {
      expect(await say('alice', `ai #${conv.number} on`)).toBe(`#${conv.number} is now with the AI agent.`);
      expect((await reload(db, conv.id)).aiState).toBe('active');
      // R36: `ai` alone says what the agent does here.
      expect(await say('alice', `ai #${conv.number}`)).toBe(
        `Parley AI is on in #${conv.number} (answering customers directly); 0 answers given here; the group used 0 tokens today. \`/parley ai #${conv.number} off\` takes it over.`,
      );
      expect(await say('alice', `ai #${conv.number} off`)).toBe(
        `You took #${conv.number} over from the AI agent.`,
      );
      expect((await reload(db, conv.id)).aiState).toBe('handed_off');
      expect(await say('alice', `ai #${conv.number}`)).toContain(
        `#${conv.number} was taken over from Parley AI by the team.`,
      );
    } finally {
      await db.em().nativeUpdate(Group, { id: ws.group.id }, { aiAgent: null });
    }
  });

  it('R12: read marks the conversation read for the user', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.bob] });
    expect(await say('bob', `read #${conv.number}`)).toBe(`#${conv.number} is marked read.`);
    const state = await db
      .em()
      .getConnection()
      .execute<{ n: number }[]>(
        'select last_read_seq as n from read_state where user_id = ? and conversation_id = ?',
        [ws.bob.id, conv.id],
      );
    expect(state[0]?.n).toBe((await reload(db, conv.id)).lastSeq);

    // "Mark unread": the latest message counts as new again for Bob, and only for him.
    expect(await say('bob', `unread #${conv.number}`)).toBe(`#${conv.number} is marked unread.`);
    expect(await isConversationUnreadFor(db.em(), ws.bob.id, await reload(db, conv.id))).toBe(true);
  });
});

describe('runCommand: replies, notes and new conversations (R5, R7, R22, R29)', () => {
  it('R29: a reply is queued to the customer and keeps the chat message it came from', async () => {
    const conv = await openConv(db, ws, { channel: 'sms' });
    const source = { key: 'slack:T1:C1:1700000000.000100', origin: { surface: 'slack', ref: { ts: '1' } } };
    const text = await say('alice', 'reply Your order shipped', { impliedConversationId: conv.id, source });
    expect(text).toBe(`Your reply to #${conv.number} is on its way.`);
    const reply = await db.em().findOneOrFail(Message, { conversation: conv.id, kind: 'reply' });
    expect(reply.text).toBe('Your order shipped');
    expect(reply.sourceRef).toBe(source.key);
  });

  it('R22: a reply in a closed conversation answers where the message went', async () => {
    const conv = await openConv(db, ws, { channel: 'sms', status: 'closed' });
    const text = await say('alice', `reply #${conv.number} Are you still there?`);
    expect(text).toMatch(
      new RegExp(
        `^Conversation #${conv.number} is closed, so your message started a new conversation #\\d+\\.$`,
      ),
    );
  });

  it('R5: a note is added to the conversation, privately', async () => {
    const conv = await openConv(db, ws);
    expect(await say('bob', `note #${conv.number} VIP, be quick`)).toBe(`Note added to #${conv.number}.`);
    const note = await db.em().findOneOrFail(Message, { conversation: conv.id, kind: 'note' });
    expect(note.text).toBe('VIP, be quick');
  });

  it('R7: new writes first to a contact by phone number on SMS and names the new conversation', async () => {
    const { contact, phone } = await seedContact(db.em(), ws.account, { name: 'Erin Buyer' });
    const text = await say('alice', `new ${phone} sms Your repair is ready`);
    const conv = await db.em().findOneOrFail(Conversation, { contact: contact.id });
    expect(text).toBe(`Started #${conv.number} with Erin Buyer on SMS; your message is on its way.`);
    expect(conv.channel).toBe('sms');
  });

  it('R7: new refuses an unknown contact, and a WhatsApp text with no open 24-hour window', async () => {
    await refusal(run('alice', 'new +15550009999 sms hello'), 'not_found');
    const { phone } = await seedContact(db.em(), ws.account, { name: 'Finn Quiet' });
    const error = await refusal(run('alice', `new "finn quiet" whatsapp hello`), 'channel_refused', 'R7');
    expect(error.message.length).toBeGreaterThan(0);
    expect(await say('alice', `new ${phone} whatsapp template:hello_world:en_US Finn`)).toContain(
      'Started #',
    );
  });

  it('R7: a template named without its language takes the one the WhatsApp number lists for it', async () => {
    const templates = [{ name: 'order_update', language: 'en_US', parameters: ['order'] }];
    await db.em().nativeUpdate(ChannelEndpoint, { id: ws.whatsapp.id }, { settings: { templates } });
    const { contact, phone } = await seedContact(db.em(), ws.account, { name: 'Gil Template' });
    await say('alice', `new ${phone} whatsapp template:order_update "A-1042"`);
    const conv = await db.em().findOneOrFail(Conversation, { contact: contact.id });
    const sent = await db.em().findOneOrFail(Message, { conversation: conv.id, kind: 'reply' });
    expect(sent.template).toEqual({ name: 'order_update', language: 'en_US', parameters: ['A-1042'] });
    const error = await refusal(run('alice', `reply #${conv.number} template:unknown_one`), 'bad_request');
    expect(error.message).toContain('`template:unknown_one:en_US`');
  });

  it('R33: new in a group the user is not in is refused, naming their groups', async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const error = await refusal(run('alice', `new ${phone} sms group:Sales hi`), 'bad_request');
    expect(error.message).toContain('Your groups: Support');
  });
});

describe('runCommand: lists, dashboard, link and help (R9, R10, R26, R33)', () => {
  it('R9/R17: inbox team lists only conversations the user may see; inbox mine only theirs', async () => {
    const open = await openConv(db, ws, { assignees: [ws.bob] });
    const hidden = await openConv(db, ws, { visibleTo: [ws.bob] });
    const team = await run('alice', 'inbox team');
    expect(team.kind === 'list' && team.title).toBe('Team inbox');
    expect(listed(team)).toContain(open.number);
    expect(listed(team)).not.toContain(hidden.number);
    expect(listed(await run('bob', 'inbox team'))).toContain(hidden.number);
    const mine = await run('bob', 'inbox');
    expect(listed(mine)).toContain(open.number);
    expect(listed(mine)).not.toContain(hidden.number);
    const line = mine.kind === 'list' ? mine.items.find((i) => i.number === open.number) : undefined;
    expect(line).toMatchObject({ contactName: 'Dana Customer', channel: 'whatsapp', assignees: ['Bob'] });
  });

  it('R20: inbox closed lists closed conversations', async () => {
    const closed = await openConv(db, ws, { status: 'closed' });
    expect(listed(await run('alice', 'inbox closed'))).toContain(closed.number);
    expect(listed(await run('alice', 'inbox team'))).not.toContain(closed.number);
  });

  it('R10/R17: search finds by contact name and by message text, never a conversation the user may not see', async () => {
    const { contact } = await seedContact(db.em(), ws.account, { name: 'Zelda Quokka' });
    const hidden = await openConv(db, ws, { contactId: contact.id, status: 'closed', visibleTo: [ws.bob] });
    const byName = await openConv(db, ws, { contactId: contact.id });
    await say('bob', `note #${byName.number} parcel wombat lost`);
    expect(listed(await run('alice', 'search zelda'))).toEqual([byName.number]);
    expect(listed(await run('alice', 'search wombat'))).toEqual([byName.number]);
    expect(listed(await run('bob', 'search quokka')).sort()).toEqual([byName.number, hidden.number].sort());
    const none = await run('alice', 'search nothingmatchesthis');
    expect(none).toMatchObject({ kind: 'list', items: [], more: false });
  });

  it('R26: dashboard answers the tiles for the user', async () => {
    const result = await run('alice', 'dashboard');
    expect(result.kind).toBe('dashboard');
    if (result.kind === 'dashboard') expect(result.tiles.tiles.map((t) => t.key)).toContain('myUnreplied');
  });

  it('R33: link by an agent is refused; by an admin it links the chat user to the Parley user with that email', async () => {
    const dave = await addUser(db, ws, 'Dave');
    const error = await refusal(run('alice', `link <@UDAVE> ${dave.email}`), 'forbidden', 'R33');
    expect(error.message).toContain('Only a Parley admin');
    expect((await db.em().findOneOrFail(User, dave.id)).slackUserId).toBeNull();

    expect(await say('admin', `link <@UDAVE|dave> <mailto:${dave.email}|${dave.email}>`)).toBe(
      `Linked <@UDAVE> to Dave (${dave.email}).`,
    );
    expect((await db.em().findOneOrFail(User, dave.id)).slackUserId).toBe('UDAVE');
    const erin = await addUser(db, ws, 'Erin');
    const taken = await refusal(run('admin', `link <@UBOB> ${erin.email}`), 'conflict');
    expect(taken.message).toContain('bob@acme.test');
    expect((await db.em().findOneOrFail(User, erin.id)).slackUserId).toBeNull();
  });

  it('R35: a linked user cannot be relinked by a command (it would hand over their conversations); the admin API or CLI does it', async () => {
    const dave = await addUser(db, ws, 'Dave');
    await say('admin', `link <@UDAVE2> ${dave.email}`);
    const error = await refusal(run('admin', `link <@UALT> ${dave.email}`), 'conflict', 'R35');
    expect(error.message).toContain('admin API');
    expect((await db.em().findOneOrFail(User, dave.id)).slackUserId).toBe('UDAVE2');
  });

  it('R33: link alone tells a linked user who they are linked as and how others get linked', async () => {
    const text = await say('alice', 'link');
    expect(text).toContain('Alice (alice@acme.test)');
    expect(text).toContain('/parley link @them their@email');
  });

  it('R30: help lists the commands', async () => {
    expect(await say('alice', '')).toContain('/parley assign');
    expect(await say('alice', 'help close')).toContain('`/parley close [#1042]`');
  });

  it('R33: a user who is no longer active can run nothing', async () => {
    const gone = await addUser(db, ws, 'Gwen', { active: false });
    const command: ParsedCommand = { kind: 'inbox', view: 'mine' };
    await refusal(
      runCommand({ em: db.em() }, { command, actor: userActor(gone.id), surface: 'slack' }),
      'forbidden',
    );
  });
});
