import type { CommandForm } from '../../../src/commands/command-forms.ts';
import { isParseError, parseCommand, parseErrorText } from '../../../src/commands/parse-command.ts';
import { type CommandResult, type ConversationLine, runCommand } from '../../../src/commands/run-command.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import type { MessageSource } from '../../../src/use-cases/timeline.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeClipped, escapeKeepingMentions, escapeText } from './escape.ts';
import { openFormBlocks } from './form-actions.ts';
import { type Block, channelLabel, mrkdwn, plural, slackDate } from './home-view.ts';
import { mentionedUserIds, slackToPlainText } from './slack-text.ts';

export interface SlackAnswer {
  text: string;
  blocks?: Block[];
}

/**
 * Runs what a user typed (`/parley …`, `!…` in a thread, a DM to the app) and turns the result,
 * or the refusal, into a private Slack answer. Refusals say why and what to do (AppError texts).
 */
export async function runSlackCommand(
  deps: SlackHandlerDeps,
  input: {
    userId: string;
    text: string;
    impliedConversationId?: string;
    source?: MessageSource;
    /** Opens a form result (a modal) where the surface can; the answer is then empty. */
    openForm?: (form: CommandForm) => Promise<void>;
  },
): Promise<SlackAnswer> {
  // Answers and refusals quote names (customers', users'); only the asker's own mentions stay markup.
  const mentioned = new Set(mentionedUserIds(input.text));
  const parsed = parseCommand(input.text.trim(), { plainText: (raw) => slackToPlainText(raw) });
  if (isParseError(parsed)) return { text: escapeKeepingMentions(parseErrorText(parsed), mentioned) };
  try {
    const result = await runCommand(deps.context(), {
      command: parsed,
      actor: userActor(input.userId),
      surface: 'slack',
      impliedConversationId: input.impliedConversationId,
      source: input.source,
    });
    if (result.kind === 'form' && input.openForm) {
      await input.openForm(result.form);
      return { text: '' };
    }
    return renderResult(result, mentioned);
  } catch (err) {
    if (isAppError(err)) return { text: `:no_entry: ${escapeKeepingMentions(err.message, mentioned)}` };
    throw err;
  }
}

/**
 * Our own sentences may quote customer data (names), so they are escaped like everything else;
 * `mentioned`: the Slack users the asker mentioned, whose `<@U…>` in a sentence stay mentions.
 */
export function renderResult(result: CommandResult, mentioned: ReadonlySet<string> = new Set()): SlackAnswer {
  switch (result.kind) {
    case 'message':
      return { text: escapeKeepingMentions(result.text, mentioned) };
    case 'form': {
      const text = escapeKeepingMentions(result.text, mentioned);
      return { text, blocks: openFormBlocks(text, result.form) };
    }
    case 'dashboard': {
      const lines = result.tiles.tiles.map(
        (t) =>
          `${t.prominence === 'primary' ? '*' : ''}${escapeText(t.label)}: ${t.count}${t.prominence === 'primary' ? '*' : ''}`,
      );
      return { text: lines.join('\n'), blocks: [{ type: 'section', text: mrkdwn(lines.join('\n')) }] };
    }
    case 'list': {
      const title = `*${escapeText(result.title)}*`;
      if (result.items.length === 0) return { text: `${title}\n${escapeText(result.empty)}` };
      const lines = result.items.map(lineOf);
      const more = result.more ? '\n_More in App Home, or narrow the search._' : '';
      const text = `${title}\n${lines.join('\n')}${more}`;
      return { text, blocks: [{ type: 'section', text: mrkdwn(text.slice(0, 3000)) }] };
    }
  }
}

function lineOf(c: ConversationLine): string {
  const who = c.assignees.length ? ` · ${escapeText(c.assignees.join(', '))}` : ' · unassigned';
  const unreplied = c.unrepliedCount ? ` · *${plural(c.unrepliedCount, 'unreplied')}*` : '';
  const when = c.lastMessageAt ? ` · ${slackDate(c.lastMessageAt)}` : '';
  const preview = c.preview ? `\n>${escapeClipped(c.preview.replace(/\s+/g, ' '), 120)}` : '';
  return `• *#${c.number}* ${escapeClipped(c.contactName, 80)} · ${channelLabel(c.channel)} · ${c.status}${who}${unreplied}${when}${preview}`;
}
