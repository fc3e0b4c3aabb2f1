import { describe, expect, it } from 'vitest';
import { userActor } from '../../src/domain/actor.ts';
import { deleteConversation } from '../../src/use-cases/delete-conversation.ts';
import { receiveInbound } from '../../src/use-cases/receive-inbound.ts';
import { purgeFilesProcessor } from '../../workers/purge-files.worker.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { localTestStorage } from '../support/storage.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const storage = localTestStorage();

describe('deleting a conversation with files', () => {
  it('R24: its stored attachments are removed from storage after the delete commits', async () => {
    const ws = await seedWorkspace(db.em());
    await storage.put('2026-11-24/passport', new Uint8Array([1, 2, 3]), 'image/jpeg');
    const inbound = await receiveInbound(
      { em: db.em() },
      { kind: 'provider', channel: 'whatsapp' },
      {
        channel: 'whatsapp',
        endpointAddress: 'PNID_SUPPORT',
        from: { address: '+15550006666', identified: true },
        provider: 'whatsapp',
        providerMessageId: 'wamid.passport',
        attachments: [{ id: 'a1', kind: 'image', status: 'stored', storageKey: '2026-11-24/passport' }],
      },
    );
    const deleted = await deleteConversation({ em: db.em() }, userActor(ws.admin.id), {
      conversationId: inbound.conversationId,
    });
    const event = deleted.events.find((e) => e.type === 'conversation.deleted');
    expect(event).toMatchObject({ storageKeys: ['2026-11-24/passport'] });
    const purge = purgeFilesProcessor({ storage });
    await purge(
      { conversationId: inbound.conversationId, storageKeys: ['2026-11-24/passport'] },
      {} as never,
    );
    expect(await storage.get('2026-11-24/passport')).toBeNull();
  });
});
