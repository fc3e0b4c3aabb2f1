import { Migration } from '@mikro-orm/migrations';

export class Migration20261203132017 extends Migration {

  override name = 'Migration20261203132017';

  override up(): void | Promise<void> {
    this.addSql(`create table "chat_unlink_notice" ("id" uuid not null, "account_id" uuid not null, "surface" varchar(255) not null, "platform_user_id" varchar(255) not null, "former_user_name" varchar(255) not null, "created_at" timestamptz not null, "told_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "chat_unlink_notice_pending_idx" on "chat_unlink_notice" ("created_at") where "told_at" is null;`);

    this.addSql(`alter table "users" add "access_changed_at" timestamptz null;`);

    this.addSql(`alter table "chat_unlink_notice" add constraint "chat_unlink_notice_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "chat_unlink_notice" cascade;`);

    this.addSql(`alter table "users" drop column "access_changed_at";`);
  }

}
