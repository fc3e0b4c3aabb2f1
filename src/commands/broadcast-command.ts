import type { CommandEnv } from './command-env.ts';
import { broadcastForm } from './command-forms.ts';
import type { CommandResult } from './command-result.ts';

/**
 * R8: `broadcast` opens the broadcast form (audience, number or widget, message); its preview
 * and confirmation are the surface's next steps (previewBroadcast, then createBroadcast).
 */
export async function runBroadcastForm(env: CommandEnv): Promise<CommandResult> {
  return {
    kind: 'form',
    form: await broadcastForm(env.lookup, env.user),
    text: 'To write a broadcast, run `/parley broadcast`: it opens the broadcast form.',
  };
}
