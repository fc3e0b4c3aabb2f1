import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../../src/logger.ts';
import type { AgentSurface } from '../../../../src/ports/agent-surface.ts';
import type { Storage } from '../../../../src/ports/storage.ts';
import type { UseCaseContext } from '../../../../src/use-cases/context.ts';
import type { HostRule } from '../../../guarded-download.ts';
import type { MediaLink } from '../cards/item-parts.ts';
import type { TeamsApi } from '../ports.ts';

/** What the Teams inbound handlers (messages, card actions, dialogs) work with. */
export interface TeamsInboundDeps {
  /** A use-case context: a fresh EntityManager fork and the job dispatcher. */
  context: () => UseCaseContext;
  /** A fresh EntityManager fork, for reads. */
  em: () => EntityManager;
  api: TeamsApi;
  /** The Teams surface: publishHome redraws a viewer's dashboard after a filter changes. */
  surface: AgentSurface;
  storage: Storage;
  logger: Logger;
  /** The app's own Entra tenant: only its members are linked by email (R33, R35). */
  config: { TEAMS_TENANT_ID?: string };
  redis: Redis;
  prefix: string;
  /** The bot's Bot Connector token, for inline images people paste (served by the Bot Connector). */
  botToken: () => Promise<string>;
  /**
   * Extra hosts that serve inline images to the bot token, beside the activity's own serviceUrl
   * (Teams' media store, `*.asm.skype.com`, by default).
   */
  mediaHosts?: readonly HostRule[];
  /** Hosts of the pre-signed download links Teams gives for files in a personal chat (SharePoint/OneDrive). */
  fileHosts?: readonly HostRule[];
  /** Signed links to stored attachments, for an item card drawn in an answer (an AI draft's). */
  mediaLink?: MediaLink;
}
