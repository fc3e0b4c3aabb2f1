import {
  CHINA,
  type CloudEnvironment,
  PUBLIC,
  US_GOV,
  US_GOV_DOD,
  withOverrides,
} from '@microsoft/teams.api';
import type { Config } from '../../../src/config.ts';

/**
 * Which Microsoft cloud the bot lives in: the SDK's preset for TEAMS_CLOUD (Entra login, Bot
 * Framework scope, signing keys and issuer), with each TEAMS_* override layered on top through the
 * SDK's `withOverrides`, and the Bot Connector URL for messages Parley starts itself.
 */
export interface TeamsCloud {
  /** What the SDK validates inbound tokens against and asks outbound tokens from. */
  environment: CloudEnvironment;
  /** The Bot Connector base URL for proactive messages (no trailing slash). */
  serviceUrl: string;
  /** The Teams web client, for deep links into a channel post (no trailing slash). */
  webUrl: string;
}

/**
 * The clouds' well-known Bot Connector URLs for proactive messages. Replies to an activity go to
 * the activity's own `serviceUrl`. China has no published one: TEAMS_SERVICE_URL is required there.
 */
const PRESETS: Record<
  Config['TEAMS_CLOUD'],
  { environment: CloudEnvironment; serviceUrl: string | null; webUrl: string }
> = {
  public: {
    environment: PUBLIC,
    serviceUrl: 'https://smba.trafficmanager.net/teams',
    webUrl: 'https://teams.microsoft.com',
  },
  usgov: {
    environment: US_GOV,
    serviceUrl: 'https://smba.infra.gov.teams.microsoft.us/teams',
    webUrl: 'https://gov.teams.microsoft.us',
  },
  usgovdod: {
    environment: US_GOV_DOD,
    serviceUrl: 'https://smba.infra.dod.teams.microsoft.us/teams',
    webUrl: 'https://dod.teams.microsoft.us',
  },
  china: { environment: CHINA, serviceUrl: null, webUrl: 'https://teams.microsoftonline.cn' },
};

export function teamsCloud(config: Config): TeamsCloud {
  const preset = PRESETS[config.TEAMS_CLOUD];
  const environment = withOverrides(preset.environment, {
    loginEndpoint: config.TEAMS_LOGIN_ENDPOINT,
    openIdMetadataUrl: config.TEAMS_OPENID_METADATA_URL,
    tokenIssuer: config.TEAMS_TOKEN_ISSUER,
    botScope: config.TEAMS_BOT_SCOPE,
  });
  const serviceUrl = config.TEAMS_SERVICE_URL ?? preset.serviceUrl;
  // loadConfig refuses China without TEAMS_SERVICE_URL; this only guards a hand-built Config.
  if (!serviceUrl) throw new Error('TEAMS_SERVICE_URL is required for this cloud.');
  return { environment, serviceUrl, webUrl: preset.webUrl };
}
