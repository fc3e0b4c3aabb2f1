import { defineEntity, p } from '@mikro-orm/core';
import type { SlaSettings } from '../../domain/sla.ts';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';

export interface AiAgentSettings {
  enabled: boolean;
  name?: string;
  instructions?: string;
  /** Overrides OPENAI_MODEL for this group. */
  model?: string;
  /** auto: the answer goes to the customer; draft: it waits in the thread for a person (R36). */
  mode?: 'auto' | 'draft';
  /** Answers per conversation before the agent hands off (R36). */
  maxTurns?: number;
  /** Model tokens per group per UTC day before the agent hands off; unset: no cap. */
  dailyTokenBudget?: number;
}

/** One day's opening hours, local time "HH:MM"; `to` may be "24:00". */
export interface OpeningHours {
  from: string;
  to: string;
}

/** R37: business hours and the messages sent outside them (and to a first-time contact). */
export interface AutoResponderSettings {
  enabled: boolean;
  /** IANA time zone, e.g. "Europe/Berlin". */
  timeZone: string;
  /** Weekday (mon..sun) -> opening hours; a missing day is closed all day. */
  hours: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', OpeningHours[]>>;
  /** Local dates "YYYY-MM-DD" closed all day. */
  holidays?: string[];
  /** Sent when a customer writes outside business hours; unset: none. */
  awayMessage?: string;
  /** Sent in a contact's first conversation; unset: none. */
  greeting?: string;
  /** At most one automatic message per conversation in this many minutes. */
  intervalMinutes?: number;
}

/** A team inside an account: it owns channel endpoints and users and has one Team inbox. */
const GroupSchema = defineEntity({
  name: 'Group',
  tableName: 'groups',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    name: p.string(),
    slackChannelId: p.string().nullable(),
    teamsTeamId: p.string().nullable(),
    teamsChannelId: p.string().nullable(),
    aiAgent: p.json<AiAgentSettings>().nullable(),
    autoResponder: p.json<AutoResponderSettings>().nullable(),
    /** R39: response-time targets, counted in the auto responder's business hours; null: none. */
    sla: p.json<SlaSettings>().nullable(),
    /** Cron expression (UTC) for the dashboard digest (R27); null means no digest. */
    digestCron: p.string().nullable(),
    /**
     * R41: `thread`, a plain message in a conversation's thread is a reply to the customer (R29);
     * `explicit`, it is a note, and only `!reply`, the Reply dialog or "Send to customer" send.
     */
    replies: p.enum(['thread', 'explicit'] as const).default('thread'),
    /** R42: `on`, the customer is asked once to rate a conversation after it is closed. */
    csat: p.enum(['on', 'off'] as const).default('off'),
    createdAt: createdAt(),
  },
  // Names are unique whatever their case, as emails are ("Billing" and "billing" are one group).
  // A unique index on an expression, declared as an index: as a `uniques` entry MikroORM would
  // take it for a constraint and drop it with `drop constraint`, which PostgreSQL refuses.
  indexes: [
    {
      name: 'groups_account_id_lower_name_unique',
      expression:
        'create unique index "groups_account_id_lower_name_unique" on "groups" ("account_id", lower("name"))',
    },
  ],
});
export class Group extends GroupSchema.class {}
GroupSchema.setClass(Group);
