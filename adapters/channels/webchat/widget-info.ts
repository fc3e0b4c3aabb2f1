import type { EntityManager } from '@mikro-orm/postgresql';
import { type ChannelEndpoint, Group } from '../../../src/db/entities/index.ts';
import { isOpenAt, nextOpeningAt } from '../../../src/domain/business-hours.ts';
import type { WebchatSettings } from './settings.ts';
import type { WidgetStrings } from './widget-strings.ts';

/**
 * What the widget shows before anyone writes: the group's greeting and whether the team is there,
 * from the group's business hours and greeting (R37, the auto responder's settings, read as the
 * auto responder reads them), and the widget's own texts.
 */
export interface WidgetInfo {
  /** The group's greeting (R37), shown at the top of the panel; null when it has none or the auto responder is off. */
  greeting: string | null;
  /**
   * From the group's business hours at the moment of the request; null when the group has none
   * (or its auto responder is off): the widget then says nothing about availability.
   */
  availability: {
    open: boolean;
    /** When the hours open next (ISO), when closed; null when closed with no opening ahead. */
    nextOpenAt: string | null;
    /** The group's away message, when closed. */
    awayMessage: string | null;
  } | null;
  /** The widget's `strings` setting (per language, over the shipped texts). */
  strings: Record<string, WidgetStrings>;
}

export async function widgetInfo(
  em: EntityManager,
  endpoint: ChannelEndpoint,
  settings: WebchatSettings,
  now: Date,
): Promise<WidgetInfo> {
  const group = await em.findOneOrFail(Group, endpoint.group.id);
  const auto = group.autoResponder?.enabled ? group.autoResponder : null;
  return {
    greeting: auto?.greeting ?? null,
    availability: auto ? availability(auto, now) : null,
    strings: settings.strings ?? {},
  };
}

function availability(hours: NonNullable<Group['autoResponder']>, now: Date): WidgetInfo['availability'] {
  try {
    if (isOpenAt(hours, now)) return { open: true, nextOpenAt: null, awayMessage: null };
    return {
      open: false,
      nextOpenAt: nextOpeningAt(hours, now)?.toISOString() ?? null,
      awayMessage: hours.awayMessage ?? null,
    };
  } catch {
    // A time zone this runtime does not know (settings written before a tz data change): say nothing.
    return null;
  }
}
