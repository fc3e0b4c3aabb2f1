import type { EntityManager } from '@mikro-orm/postgresql';
import { Group } from '../../../src/db/entities/index.ts';
import { loadDigestData } from '../../../src/queries/digest-data.ts';
import type { SetupErrorSink } from './admin-notices.ts';
import { digestCard } from './cards/digest-card.ts';
import type { TeamsApiClient } from './teams-api.ts';
import { TeamsApiError } from './teams-api-errors.ts';

/**
 * R27: a group's digest as a new post in its Teams channel. The figures come from DigestData,
 * which leaves restricted conversations out; a group without a Teams channel has no digest here.
 */
export interface TeamsDigestDeps {
  api: TeamsApiClient;
  em: () => EntityManager;
  /** Told when Teams refuses for a reason an admin must fix. */
  onSetupError?: SetupErrorSink;
  now?: () => Date;
}

export async function postTeamsDigest(deps: TeamsDigestDeps, groupId: string): Promise<void> {
  const group = await deps.em().findOne(Group, groupId, { fields: ['id', 'teamsChannelId'] });
  const channel = group?.teamsChannelId;
  if (!channel) return;
  const data = await loadDigestData(deps.em(), groupId);
  if (!data) return;
  const card = digestCard(data, { now: deps.now?.() ?? new Date() });
  try {
    await deps.api.createChannelPost(channel, card);
  } catch (err) {
    if (err instanceof TeamsApiError && (err.code === 'app_not_installed' || err.code === 'not_found'))
      await deps.onSetupError?.(`the digest of group ${groupId}`, channelFix(channel), { groupId });
    throw err;
  }
}

/** What an admin does when Teams refuses to post in a group's channel. */
export const channelFix = (channel: string): string =>
  `Add the Parley app to the team that holds the channel ${channel}, and check the group's linked Teams channel id (parley groups).`;
