import type { App as BoltApp } from '@slack/bolt';
import { runSlackCommand } from './command-answer.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';

/** `/parley …` (R30): answered privately to the user who typed it, within Slack's 3 seconds. */
export function registerSlashCommand(app: BoltApp, deps: SlackHandlerDeps): void {
  app.command('/parley', async ({ command, ack }) => {
    const user = await linkedUser(deps.em(), command.user_id, (id) => lookupEmail(deps, id));
    if (!user) return ack({ response_type: 'ephemeral', text: notLinkedText });
    const answer = await runSlackCommand(deps, { userId: user.id, text: command.text ?? '' });
    await ack({ response_type: 'ephemeral', ...answer });
  });
}
