import { describe, expect, it } from 'vitest';
import { headerMessage } from '../../adapters/surfaces/slack/thread-blocks.ts';
import { headerCard } from '../../adapters/surfaces/teams/cards/header-card.ts';
import type { ThreadHeader } from '../../src/ports/agent-surface.ts';
import { shownTexts } from '../adapters/teams/cards-support.ts';

const header = (over: Partial<ThreadHeader> = {}): ThreadHeader => ({
  conversationId: '0b6c1d2e-3f40-4a51-8b62-7c8d9e0f1a2b',
  number: 1042,
  contactName: 'Dana Customer',
  channel: 'sms',
  status: 'open',
  assignees: [{ id: 'u1', name: 'Ada' }],
  unrepliedCount: 0,
  restricted: false,
  aiState: 'off',
  ...over,
});
const unpaid = [
  { reference: 'INV-1042-1', amount: 'EUR 114.00' },
  { reference: 'INV-1042-2', amount: 'EUR 9.50' },
];

describe('the thread header lists unpaid invoices (R21, R38)', () => {
  it('R21: Slack’s header names each unpaid invoice with its amount, and shows nothing when all are settled', () => {
    const shown = JSON.stringify(headerMessage(header({ unpaidInvoices: unpaid })).blocks);
    expect(shown).toContain('Unpaid: INV-1042-1 (EUR 114.00), INV-1042-2 (EUR 9.50)');
    expect(JSON.stringify(headerMessage(header()).blocks)).not.toContain('Unpaid');
  });

  it('R21: Teams’ header card does the same', () => {
    const text = shownTexts(headerCard(header({ unpaidInvoices: unpaid }), { place: 'channel' })).join('\n');
    expect(text).toContain('Unpaid:');
    expect(text).toContain('INV-1042-1 (EUR 114.00), INV-1042-2 (EUR 9.50)');
    expect(shownTexts(headerCard(header(), { place: 'channel' })).join('\n')).not.toContain('Unpaid');
  });
});
