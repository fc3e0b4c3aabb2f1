import { Migration } from '@mikro-orm/migrations';

export class Migration20261203162257 extends Migration {

  override name = 'Migration20261203162257';

  override up(): void | Promise<void> {
    this.addSql(`create table "teams_activity" ("id" uuid not null, "activity_id" text not null, "conversation_id" text not null, "type" varchar(255) not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "teams_activity_created_at_idx" on "teams_activity" ("created_at");`);
    this.addSql(`alter table "teams_activity" add constraint "teams_activity_key" unique ("activity_id", "conversation_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "teams_activity" cascade;`);
  }

}
