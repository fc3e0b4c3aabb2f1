import type { EntityManager } from '@mikro-orm/postgresql';
import type { Command } from 'commander';
import { Contact, ContactIdentity } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import { cliActor } from '../setup/actor.ts';
import { mergeContacts } from '../use-cases/merge-contacts.ts';
import { type CliIo, type OpenDatabase, parseIdentity, withDatabase } from './io.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A contact named by its id, or by one of its identities (`sms:+15551234567`). */
async function contactNamed(em: EntityManager, ref: string): Promise<Contact> {
  if (UUID.test(ref)) {
    const contact = await em.findOne(Contact, { id: ref });
    if (contact) return contact;
  } else {
    const identity = await em.findOne(ContactIdentity, parseIdentity(ref, 'contact'));
    if (identity) return em.findOneOrFail(Contact, { id: identity.contact.id });
  }
  throw new AppError(
    'not_found',
    `No contact is ${ref}; give a contact id or an identity such as sms:+15551234567.`,
  );
}

/** R43: `parley contacts merge <keep> <merge>` — the admin API's merge from the terminal. */
export function registerContactMergeCommand(contacts: Command, open: OpenDatabase, io: CliIo): void {
  contacts
    .command('merge <keep> <merge>')
    .description(
      'merge the second contact into the first (each: its id, or an identity like sms:+15551234567)',
    )
    .action((keepRef: string, mergeRef: string) =>
      withDatabase(open, io, async (em) => {
        const keep = await contactNamed(em, keepRef);
        const merge = await contactNamed(em, mergeRef);
        // The worker's reconciler redraws the moved conversations' headers (they are marked).
        const result = await mergeContacts({ em: em.fork() as EntityManager }, cliActor, {
          keepId: keep.id,
          mergeId: merge.id,
        });
        io.out(
          `Merged ${merge.name ?? mergeRef} into ${keep.name ?? keepRef} (${keep.id}): ${result.moved} conversation${result.moved === 1 ? '' : 's'} moved`,
        );
        for (const c of result.closed) io.out(`  closed #${c.number}: it goes on in #${c.continuesIn}`);
      }),
    );
}
