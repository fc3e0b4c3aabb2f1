import { Migration } from '@mikro-orm/migrations';

export class Migration20261204214716 extends Migration {

  override name = 'Migration20261204214716';

  override up(): void | Promise<void> {
    this.addSql(`alter table "groups" add "replies" text not null default 'thread';`);
    this.addSql(`alter table "groups" add constraint "groups_replies_check" check ("replies" in ('thread', 'explicit'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "groups" drop constraint "groups_replies_check";`);
    this.addSql(`alter table "groups" drop column "replies";`);
  }

}
