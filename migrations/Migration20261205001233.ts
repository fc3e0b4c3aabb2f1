import { Migration } from '@mikro-orm/migrations';

export class Migration20261205001233 extends Migration {

  override name = 'Migration20261205001233';

  override up(): void | Promise<void> {
    this.addSql(`create table "csat_survey" ("id" uuid not null, "account_id" uuid not null, "conversation_id" uuid not null, "group_id" uuid not null, "agent_ids" text[] not null default '{}', "state" text not null default 'due', "reason" text null, "channel" varchar(255) not null, "message_id" uuid null, "rating" smallint null, "comment" text null, "closed_at" timestamptz not null, "asked_at" timestamptz null, "answered_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "csat_survey" add constraint "csat_survey_conversation_id_unique" unique ("conversation_id");`);
    this.addSql(`create index "csat_survey_due_idx" on "csat_survey" ("closed_at") where "state" = 'due';`);
    this.addSql(`create index "csat_survey_closed_at_index" on "csat_survey" ("closed_at");`);

    this.addSql(`alter table "groups" add "csat" text not null default 'off';`);
    this.addSql(`alter table "groups" add constraint "groups_csat_check" check ("csat" in ('on', 'off'));`);

    this.addSql(`alter table "csat_survey" add constraint "csat_survey_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "csat_survey" add constraint "csat_survey_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on delete cascade;`);
    this.addSql(`alter table "csat_survey" add constraint "csat_survey_group_id_foreign" foreign key ("group_id") references "groups" ("id") on delete cascade;`);
    this.addSql(`alter table "csat_survey" add constraint "csat_survey_state_check" check ("state" in ('due', 'asked', 'skipped', 'answered'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "csat_survey" cascade;`);

    this.addSql(`alter table "groups" drop constraint "groups_csat_check";`);
    this.addSql(`alter table "groups" drop column "csat";`);
  }

}
