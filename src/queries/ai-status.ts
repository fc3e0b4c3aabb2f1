import type { EntityManager } from '@mikro-orm/postgresql';
import { AiTurn, type Conversation, Group } from '../db/entities/index.ts';
import { answersGiven, tokensSpent, utcDayStart } from '../use-cases/ai-limits.ts';

/**
 * R36: what a user sees of the AI agent in one conversation (`/parley ai`): whether it answers
 * here, in which mode, how much of its caps is used, and why it handed over.
 */
export async function aiStatusText(em: EntityManager, conv: Conversation, now = new Date()): Promise<string> {
  const group = await em.findOneOrFail(Group, { id: conv.group.id });
  const agent = group.aiAgent;
  const name = agent?.name ?? 'The AI agent';
  if (!agent?.enabled) {
    return conv.aiState === 'handed_off'
      ? `#${conv.number} is with the team (the AI agent handed it over; the group "${group.name}" has no AI agent on now).`
      : `The group "${group.name}" has no AI agent on, so #${conv.number} is with the team. An admin can turn it on with \`parley ai set\`.`;
  }
  if (conv.aiState === 'handed_off') {
    const last = await em.findOne(
      AiTurn,
      { conversation: conv, status: 'handed_off' },
      { orderBy: { updatedAt: 'desc' } },
    );
    // The agent's own handoff is recorded with its turn; otherwise a person took the conversation over.
    const byAgent =
      last && conv.aiHandoffAt && Math.abs(last.updatedAt.getTime() - conv.aiHandoffAt.getTime()) < 5_000;
    const silent = `It stays silent here until the conversation is closed; \`/parley ai #${conv.number} on\` gives it back.`;
    return byAgent
      ? `${name} handed #${conv.number} to the team${last.reason ? `: ${last.reason}` : ''}. ${silent}`
      : `#${conv.number} was taken over from ${name} by the team. ${silent}`;
  }
  if (conv.aiState === 'off') {
    return `${name} is not answering in #${conv.number}; \`/parley ai #${conv.number} on\` hands it the conversation.`;
  }
  const mode =
    agent.mode === 'draft'
      ? 'draft mode: its answers wait in the thread for one of you to send'
      : 'answering customers directly';
  const given = await answersGiven(em, conv);
  const turns = agent.maxTurns
    ? `${given} of ${agent.maxTurns} answers used here`
    : `${given} answers given here`;
  const spent = await tokensSpent(em, group.id, utcDayStart(now));
  const budget = agent.dailyTokenBudget
    ? `; the group used ${spent.toLocaleString('en-US')} of its ${agent.dailyTokenBudget.toLocaleString('en-US')} tokens today`
    : `; the group used ${spent.toLocaleString('en-US')} tokens today`;
  return `${name} is on in #${conv.number} (${mode}); ${turns}${budget}. \`/parley ai #${conv.number} off\` takes it over.`;
}
