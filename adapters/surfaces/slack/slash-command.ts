import type { App as BoltApp } from '@slack/bolt';
import { runSlackCommand } from './command-answer.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { openFormModal } from './form-actions.ts';
import { linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';

/** `/parley …` (R30): answered privately to the user who typed it, within Slack's 3 seconds. */
export function registerSlashCommand(app: BoltApp, deps: SlackHandlerDeps): void {
  app.command('/parley', async ({ command, ack, respond }) => {
    const user = await linkedUser(deps.em(), command.user_id, (id) => lookupEmail(deps, id));
    if (!user) return ack({ response_type: 'ephemeral', text: notLinkedText });
    let acked = false;
    const answer = await runSlackCommand(deps, {
      userId: user.id,
      text: command.text ?? '',
      // A form opens as a modal with the command's trigger (R4, R8): ack first, then views.open.
      openForm: async (form) => {
        acked = true;
        await ack();
        await openFormModal(deps, command.trigger_id, form).catch(async (err) => {
          deps.logger.warn({ err }, 'slack: could not open a form modal');
          await respond({
            response_type: 'ephemeral',
            text: 'Slack did not open the form in time. Run the command again.',
          }).catch(() => {});
        });
      },
    });
    if (acked) return;
    await ack({ response_type: 'ephemeral', ...answer });
  });
}
