import type { EntityManager } from '@mikro-orm/postgresql';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation } from '../../src/db/entities/index.ts';
import type { ThreadHeader, ThreadRef } from '../../src/ports/agent-surface.ts';
import { mirrorConversation } from '../../src/use-cases/mirror-conversation.ts';
import { appendMessage } from '../../src/use-cases/timeline.ts';
import { conversationWithQueuedReply } from '../support/conversations.ts';
import { recordingSurface } from '../support/fake-surface.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

describe('header redraws (R28, DESIGN 5)', () => {
  it('tell the surface whether only the unreplied count changed, so a short budget can keep posts first', async () => {
    const fake = recordingSurface('teams');
    const changes: { count: number; status: string; countOnly: boolean | undefined }[] = [];
    const updateHeader = fake.surface.updateHeader;
    const surface = {
      ...fake.surface,
      async updateHeader(ref: ThreadRef, header: ThreadHeader, change?: { countOnly: boolean }) {
        changes.push({ count: header.unrepliedCount, status: header.status, countOnly: change?.countOnly });
        await updateHeader(ref, header, change);
      },
    };
    const mirror = () =>
      mirrorConversation({ em: db.em(), surfaces: new Map([['teams', surface]]), countRedrawMs: 0 }, conv.id);
    const { conv } = await conversationWithQueuedReply(db.em(), ws, 'On its way');
    expect(await mirror()).toEqual({ outcome: 'done' });
    await db.em().transactional(async (tx) => {
      const c = await tx.findOneOrFail(Conversation, conv.id);
      await appendMessage(tx as EntityManager, c, {
        kind: 'inbound',
        text: 'Thanks! And the invoice?',
        channel: 'whatsapp',
        endpoint: ws.whatsapp,
        now: new Date(),
      });
    });
    expect(await mirror()).toEqual({ outcome: 'done' });
    await db.em().nativeUpdate(Conversation, { id: conv.id }, { status: 'closed' });
    expect(await mirror()).toEqual({ outcome: 'done' });
    expect(changes).toEqual([
      { count: 1, status: 'open', countOnly: true },
      { count: 1, status: 'closed', countOnly: false },
    ]);
  });
});
