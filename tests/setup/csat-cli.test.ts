import { describe, expect, it } from 'vitest';
import { Conversation, CsatSurvey } from '../../src/db/entities/index.ts';
import { seedContact, seedWorkspace } from '../support/fixtures.ts';
import { setupCli } from '../support/setup-cli.ts';
import { createTestDb } from '../support/test-db.ts';

/** `parley csat`: the admin API's CSAT summary (GET /csat) from the terminal. */
const db = await createTestDb();
const parley = setupCli(db);

describe('parley csat', () => {
  it('R42: lists each group and its agents with requests, answers, average and CSAT since a date; a bad date is refused', async () => {
    const em = db.em();
    const ws = await seedWorkspace(em);
    const closedAt = new Date();
    let n = 0;
    const survey = async (
      agentIds: string[],
      state: 'asked' | 'answered' | 'skipped',
      rating: number | null,
    ) => {
      const { contact } = await seedContact(em, ws.account);
      const conversation = em.create(Conversation, {
        account: ws.account,
        group: ws.group,
        number: ++n,
        contact,
        channel: 'sms',
        status: 'closed',
        assigneeIds: agentIds,
      });
      em.create(CsatSurvey, {
        account: ws.account,
        conversation,
        group: ws.group,
        agentIds,
        state,
        channel: 'sms',
        rating,
        closedAt,
        askedAt: state === 'skipped' ? null : closedAt,
        answeredAt: rating ? closedAt : null,
      });
      await em.flush();
    };
    await survey([ws.alice.id], 'answered', 5);
    await survey([ws.alice.id, ws.bob.id], 'answered', 2);
    await survey([ws.bob.id], 'asked', null);
    await survey([], 'skipped', null);

    const res = await parley('csat', '--since', '2000-01-01');
    expect(res.exitCode).toBe(0);
    const lines = res.out.split('\n');
    expect(lines[0]).toBe('Conversations closed since 2000-01-01T00:00:00.000Z');
    expect(lines[1]).toMatch(/^GROUP\s+AGENT\s+ASKED\s+ANSWERED\s+AVERAGE\s+CSAT\s+SKIPPED$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/))).toEqual([
      ['Support', '(group)', '3', '2', '3.50', '50%', '1'],
      ['Support', 'Alice', '2', '2', '3.50', '50%', '0'],
      ['Support', 'Bob', '2', '1', '2.00', '0%', '0'],
    ]);

    const bad = await parley('csat', '--since', 'last week');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.err).toMatch(/since must be a date \(2026-12-01\) or a time/);
  });
});
