import { Migration } from '@mikro-orm/migrations';

export class Migration20261204220918 extends Migration {

  override name = 'Migration20261204220918';

  override up(): void | Promise<void> {
    this.addSql(`create table "saved_reply" ("id" uuid not null, "account_id" uuid not null, "owner_id" uuid null, "name" varchar(255) not null, "text" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create unique index "saved_reply_owner_lower_name_unique" on "saved_reply" ("account_id", coalesce("owner_id"::text, ''), lower("name"));`);

    this.addSql(`alter table "saved_reply" add constraint "saved_reply_account_id_foreign" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "saved_reply" add constraint "saved_reply_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "saved_reply" cascade;`);
  }

}
