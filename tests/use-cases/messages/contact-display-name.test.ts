import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation } from '../../../src/db/entities/index.ts';
import { buildHeader } from '../../../src/use-cases/mirror-items.ts';
import { receiveInbound } from '../../../src/use-cases/receive-inbound.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

/** A contact who wrote without a name, as the thread header names them. */
async function headerNameOf(channel: 'webchat' | 'sms', endpointAddress: string, address: string) {
  const res = await receiveInbound(
    { em: db.em() },
    channel === 'webchat' ? { kind: 'contact' } : { kind: 'provider', channel },
    {
      channel,
      endpointAddress,
      from: { address, identified: channel !== 'webchat' || address.startsWith('portal') },
      provider: channel,
      providerMessageId: `${address}-1`,
      text: 'hello',
    },
  );
  const em = db.em();
  const conv = await em.findOneOrFail(Conversation, res.conversationId, { populate: ['contact'] });
  return (await buildHeader(em, conv)).contactName;
}

describe('how an unnamed contact is shown to the team (R28)', () => {
  it('R28: an anonymous webchat visitor is "Website visitor", never the widget’s internal session id', async () => {
    expect(
      await headerNameOf('webchat', ws.webchat.address, 'session:3f1c2a4e-0000-4000-8000-000000000001'),
    ).toBe('Website visitor');
  });

  it("R28: a signed-in webchat customer without a name is shown by the site's own id; a phone by its number", async () => {
    expect(await headerNameOf('webchat', ws.webchat.address, 'portal@wid_support:cust-77')).toBe(
      'Website customer cust-77',
    );
    expect(await headerNameOf('sms', ws.sms.address, '+15557770001')).toBe('+15557770001');
  });
});
