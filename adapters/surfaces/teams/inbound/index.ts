import { invokeVerb, isFormVerb } from '../cards/payment-dialogs.ts';
import type { InboundActivity, TeamsInbound } from '../ports.ts';
import { isFromBot, isPersonalChat, senderOf } from './activity.ts';
import { onCardAction } from './card-actions.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { onDialogFetch, onDialogSubmit } from './dialogs.ts';
import { onFormDialogFetch, onFormDialogSubmit } from './form-dialogs.ts';
import { onInstallation } from './installation.ts';
import { onPersonalMessage } from './personal-chat.ts';
import { onMessageChanged } from './revisions.ts';
import { onSendToCustomer } from './send-to-customer.ts';
import { onChannelMessage } from './thread-reply.ts';

export type { TeamsInboundDeps } from './deps.ts';

/**
 * What the Teams host (teams-app.ts) hands each activity to, once its token is checked and its id
 * claimed: messages (replies, commands), edits and deletions, card actions and dialogs, installs.
 * Each commits what the activity means and answers; a thrown error makes Teams send it again.
 */
export function createTeamsInbound(deps: TeamsInboundDeps): TeamsInbound {
  return {
    async message(a: InboundActivity) {
      // The app's own posts, and senders Teams does not name (connectors, other bots), are no one's reply.
      if (isFromBot(a) || !senderOf(a)) return;
      if (isPersonalChat(a)) await onPersonalMessage(deps, a);
      else await onChannelMessage(deps, a);
    },
    messageChanged: (a, change) => onMessageChanged(deps, a, change),
    async invoke(a) {
      switch (a.name) {
        case 'adaptiveCard/action':
          return onCardAction(deps, a);
        case 'task/fetch':
          // The form commands' dialogs (invoice, checkout, broadcast) are form-dialogs.ts's.
          return isFormVerb(invokeVerb(a.value)) ? onFormDialogFetch(deps, a) : onDialogFetch(deps, a);
        case 'task/submit':
          return isFormVerb(invokeVerb(a.value)) ? onFormDialogSubmit(deps, a) : onDialogSubmit(deps, a);
        case 'composeExtension/fetchTask':
          // R41: the one message action the app declares (manifest.json): Send to customer.
          return onSendToCustomer(deps, a);
        default:
          // Other message extensions, sign-in and the like: this app declares none of them.
          return { status: 501 };
      }
    },
    installation: (a) => onInstallation(deps, a),
  };
}
