import type { EntityManager } from '@mikro-orm/postgresql';
import type { Message } from '../../src/db/entities/index.ts';
import { appendMessage, openConversation } from '../../src/use-cases/timeline.ts';
import { seedContact, type Workspace } from './fixtures.ts';

/** An open WhatsApp conversation with one inbound message, and a queued reply from Alice. */
export async function conversationWithQueuedReply(
  em: EntityManager,
  ws: Workspace,
  text = 'Your order shipped',
) {
  const { contact } = await seedContact(em, ws.account);
  return em.transactional(async (tx) => {
    const conv = await openConversation(tx as EntityManager, {
      account: ws.account,
      group: ws.group,
      contact,
      channel: 'whatsapp',
      endpoint: ws.whatsapp,
      direction: 'inbound',
      identified: true,
      visibleToIds: null,
      now: new Date(),
    });
    await appendMessage(tx as EntityManager, conv, {
      kind: 'inbound',
      text: 'Where is my order?',
      channel: 'whatsapp',
      endpoint: ws.whatsapp,
      now: new Date(),
    });
    const reply: Message = await appendMessage(tx as EntityManager, conv, {
      kind: 'reply',
      text,
      author: ws.alice,
      channel: 'whatsapp',
      endpoint: ws.whatsapp,
      deliver: true,
      now: new Date(),
    });
    return { conv, reply, contact };
  });
}
