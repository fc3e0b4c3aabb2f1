import { Migration } from '@mikro-orm/migrations';

export class Migration20261203164244 extends Migration {

  override name = 'Migration20261203164244';

  override up(): void | Promise<void> {
    this.addSql(`create table "teams_personal_chat" ("id" uuid not null, "teams_user_id" text not null, "conversation_id" text not null, "dashboard_activity_id" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "teams_personal_chat" add constraint "teams_personal_chat_user_key" unique ("teams_user_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "teams_personal_chat" cascade;`);
  }

}
