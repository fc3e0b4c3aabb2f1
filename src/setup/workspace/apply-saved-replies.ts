import type { EntityManager } from '@mikro-orm/postgresql';
import { SavedReply } from '../../db/entities/index.ts';
import type { Known } from './apply-records.ts';
import type { WorkspaceFile } from './schema.ts';
import { type KindSummary, note } from './summary.ts';

/**
 * R40: the file's saved replies, matched by owner (a user's email, or the team) and name whatever
 * its case; a text that differs is replaced. Saved replies the file leaves out stay.
 */
export async function applySavedReplies(
  tx: EntityManager,
  doc: WorkspaceFile,
  known: Known,
  out: KindSummary,
) {
  if (doc.savedReplies.length === 0) return;
  const stored = await tx.find(SavedReply, { account: known.account });
  for (const entry of doc.savedReplies) {
    const owner = entry.user ? known.users.get(entry.user)! : null;
    const key = `${entry.user ?? 'team'}: ${entry.name}`;
    const hit = stored.find(
      (r) =>
        (r.owner?.id ?? null) === (owner?.id ?? null) && r.name.toLowerCase() === entry.name.toLowerCase(),
    );
    if (!hit) {
      stored.push(
        tx.create(SavedReply, { account: known.account, owner, name: entry.name, text: entry.text }),
      );
      note(out, key, 'created');
      continue;
    }
    const changed = hit.text === entry.text ? [] : ['text'];
    if (changed.length > 0) hit.text = entry.text;
    note(out, key, changed);
  }
}
