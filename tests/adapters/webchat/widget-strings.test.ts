import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shippedStrings, stringKeys } from '../../../adapters/channels/webchat/widget-strings.ts';
import { createTestDb } from '../../support/test-db.ts';
import { webchatHarness } from './harness.ts';

/** Issue 15: the widget's texts, one list (widget/strings.json) for the widget and the settings check. */
const source = readFileSync(
  new URL('../../../adapters/channels/webchat/widget/widget.js', import.meta.url),
  'utf8',
);

describe('the widget’s shipped texts', () => {
  it('English and German ship, each with every key', () => {
    expect(Object.keys(shippedStrings).sort()).toEqual(['de', 'en']);
    expect(Object.keys(shippedStrings.de ?? {}).sort()).toEqual([...stringKeys].sort());
    for (const text of Object.values(shippedStrings.de ?? {})) expect(text.trim()).not.toBe('');
  });

  it('every text the widget asks for by name is in the list, and every key in the list is asked for', () => {
    const asked = [...source.matchAll(/\bt\('(\w+)'/g)].map((m) => m[1]);
    expect(asked.length).toBeGreaterThan(10);
    expect(asked.filter((k) => !stringKeys.includes(k ?? ''))).toEqual([]);
    // Labels and marks name their keys as arguments rather than through t('…').
    expect(stringKeys.filter((k) => !source.includes(`'${k}'`))).toEqual([]);
  });

  it('are served inside widget.js, in place of the placeholder', async () => {
    const db = await createTestDb();
    const h = await webchatHarness(db);
    const served = await (await h.app.request('/webchat/widget.js')).text();
    expect(served).not.toContain('__PARLEY_STRINGS__');
    expect(served).toContain(`const SHIPPED = ${JSON.stringify(shippedStrings)};`);
  });
});
