import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { ChannelEndpoint } from './channel-endpoint.entity.ts';
import { createdAt, id } from './common.ts';
import type { PortalProfile } from './contact.entity.ts';

/**
 * A webchat visitor's session with one widget. The browser keeps a random token; only its
 * SHA-256 is stored. `address` is the contact identity the session speaks as: `session:<id>` for
 * an anonymous visitor, `portal@<scope>:<sub>` for a customer the site signed in, in the widget's
 * customer scope (R7, R16; adapters/channels/webchat/portal-address.ts). A session unused for
 * WEBCHAT_SESSION_IDLE_MINUTES (by `lastSeenAt`) has ended and is deleted by the cleanup job.
 */
const WebchatSessionSchema = defineEntity({
  name: 'WebchatSession',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    endpoint: () => p.manyToOne(ChannelEndpoint).deleteRule('cascade'),
    tokenHash: p.string().unique(),
    address: p.string(),
    identified: p.boolean(),
    /** The claims of the site's user token, for identified sessions. */
    profile: p.json<PortalProfile>().nullable(),
    createdAt: createdAt(),
    lastSeenAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [
    { properties: ['endpoint', 'address'] },
    // The cleanup job finds sessions that ended (idle) by this.
    { properties: ['lastSeenAt'] },
  ],
});
export class WebchatSession extends WebchatSessionSchema.class {}
WebchatSessionSchema.setClass(WebchatSession);

/**
 * A file a visitor uploaded and may attach to their next message. Only the session that uploaded
 * it can attach or download it until it is part of a message; one never sent is deleted after
 * WEBCHAT_UPLOAD_MAX_AGE_MINUTES.
 */
const WebchatUploadSchema = defineEntity({
  name: 'WebchatUpload',
  properties: {
    id: id(),
    session: () => p.manyToOne(WebchatSession).deleteRule('cascade'),
    storageKey: p.string(),
    kind: p.enum(['image', 'audio', 'video', 'document', 'file'] as const),
    name: p.string(),
    mimeType: p.string(),
    size: p.integer(),
    createdAt: createdAt(),
  },
  // A session's uploads: attaching them, and the cascade when the cleanup deletes the session.
  indexes: [{ properties: ['session'] }],
});
export class WebchatUpload extends WebchatUploadSchema.class {}
WebchatUploadSchema.setClass(WebchatUpload);
