import { Migration } from '@mikro-orm/migrations';

export class Migration20261205000018 extends Migration {

  override name = 'Migration20261205000018';

  override up(): void | Promise<void> {
    this.addSql(`create table "sla_wait" ("id" uuid not null, "account_id" uuid not null, "group_id" uuid not null, "conversation_id" uuid not null, "kind" text not null, "started_at" timestamptz not null, "due_at" timestamptz null, "warn_at" timestamptz null, "warned_at" timestamptz null, "breached_at" timestamptz null, "ended_at" timestamptz null, "ended_by" text null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "sla_wait_running_idx" on "sla_wait" ("due_at") where "ended_at" is null;`);
    this.addSql(`create index "sla_wait_group_id_started_at_index" on "sla_wait" ("group_id", "started_at");`);
    this.addSql(`alter table "sla_wait" add constraint "sla_wait_conversation_id_started_at_unique" unique ("conversation_id", "started_at");`);

    this.addSql(`alter table "groups" add "sla" jsonb null;`);

    this.addSql(`alter table "conversation" add "human_waiting_since" timestamptz null, add "sla_breached_at" timestamptz null;`);
    this.addSql(`create index "conversation_sla_breached_idx" on "conversation" ("group_id") include ("account_id", "visible_to_ids", "assignee_ids") where "status" = 'open' and "sla_breached_at" is not null;`);

    this.addSql(`alter table "sla_wait" add constraint "sla_wait_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "sla_wait" add constraint "sla_wait_group_id_foreign" foreign key ("group_id") references "groups" ("id");`);
    this.addSql(`alter table "sla_wait" add constraint "sla_wait_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on delete cascade;`);
    this.addSql(`alter table "sla_wait" add constraint "sla_wait_kind_check" check ("kind" in ('first', 'next'));`);
    this.addSql(`alter table "sla_wait" add constraint "sla_wait_ended_by_check" check ("ended_by" in ('reply', 'close'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "sla_wait" cascade;`);

    this.addSql(`drop index "conversation_sla_breached_idx";`);
    this.addSql(`alter table "conversation" drop column "human_waiting_since", drop column "sla_breached_at";`);

    this.addSql(`alter table "groups" drop column "sla";`);
  }

}
