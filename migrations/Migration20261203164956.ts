import { Migration } from '@mikro-orm/migrations';

export class Migration20261203164956 extends Migration {

  override name = 'Migration20261203164956';

  override up(): void | Promise<void> {
    this.addSql(`create table "teams_posted_activity" ("id" uuid not null, "teams_conversation" text not null, "conversation_id" uuid not null, "activity_id" text not null, "kind" text not null, "message_id" uuid null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "teams_posted_activity_thread_idx" on "teams_posted_activity" ("conversation_id", "teams_conversation");`);
    this.addSql(`alter table "teams_posted_activity" add constraint "teams_posted_activity_key" unique ("teams_conversation", "activity_id");`);

    this.addSql(`alter table "teams_posted_activity" add constraint "teams_posted_activity_kind_check" check ("kind" in ('item', 'state'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "teams_posted_activity" cascade;`);
  }

}
