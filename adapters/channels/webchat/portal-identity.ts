import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type ChannelEndpoint, ContactIdentity } from '../../../src/db/entities/index.ts';
import { customerScopeOf, declaredAddress, scopedAddress, widgetScope } from './portal-address.ts';
import { settingsObject, type WebchatSettings, webchatSettingsSchema } from './settings.ts';

/**
 * The address a signed-in customer (`sub` from the site's user token) speaks as on this widget:
 * `portal@<scope>:<sub>`, so the same `sub` on a widget of another scope is another person (a
 * token for one site never opens another site's history). The first time a customer signs in
 * to a scope, an earlier identity that can only be theirs is linked to it (the scoped identity is
 * added to that contact, so their history and defaults carry over):
 * 1. the widget's own `portal@<widget>:<sub>`, when the widget has since joined a shared scope;
 * 2. the `portal:<sub>` an admin declared (portal profile), when every webchat widget of the
 *    account is in this scope, so the declaration can mean no one else. With several scopes it is
 *    ambiguous and is not used: the admin declares `portal@<scope>:<sub>` on the contact instead.
 */
export async function portalAddressFor(
  em: EntityManager,
  endpoint: ChannelEndpoint,
  settings: WebchatSettings,
  sub: string,
): Promise<string> {
  const scope = customerScopeOf(endpoint.address, settings);
  const address = scopedAddress(scope, sub);
  const find = (a: string) =>
    em.findOne(ContactIdentity, { account: endpoint.account, channel: 'webchat', address: a });
  if (await find(address)) return address;

  const own = widgetScope(endpoint.address);
  let earlier = own !== scope ? await find(scopedAddress(own, sub)) : null;
  if (!earlier) {
    const declared = await find(declaredAddress(sub));
    if (declared && (await onlyScopeOfAccount(em, endpoint, scope))) earlier = declared;
  }
  if (earlier) await linkIdentity(em, endpoint, earlier.contact.id, address);
  return address;
}

/** Whether every webchat widget of the account puts its signed-in customers in `scope`. */
async function onlyScopeOfAccount(em: EntityManager, endpoint: ChannelEndpoint, scope: string) {
  const widgets = await em
    .getConnection()
    .execute<{ address: string; settings: unknown }[]>(
      `select address, settings from channel_endpoint where account_id = ? and channel = 'webchat'`,
      [endpoint.account.id],
    );
  return widgets.every((w) => {
    const parsed = webchatSettingsSchema.safeParse(settingsObject(w.settings));
    // A widget with settings it cannot use serves no one, but its scope is unknown: not "only".
    return parsed.success && customerScopeOf(w.address, parsed.data) === scope;
  });
}

/** Two first sessions at once link the identity once: the unique key absorbs the second. */
async function linkIdentity(
  em: EntityManager,
  endpoint: ChannelEndpoint,
  contactId: string,
  address: string,
) {
  await em.getConnection().execute(
    `insert into contact_identity (id, account_id, contact_id, channel, address, identified, created_at)
       values (?, ?, ?, 'webchat', ?, true, ?) on conflict (account_id, channel, address) do nothing`,
    [randomUUID(), endpoint.account.id, contactId, address, new Date()],
  );
}
