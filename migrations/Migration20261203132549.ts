import { Migration } from '@mikro-orm/migrations';

export class Migration20261203132549 extends Migration {

  override name = 'Migration20261203132549';

  override up(): void | Promise<void> {
    this.addSql(`create index "webchat_session_last_seen_at_index" on "webchat_session" ("last_seen_at");`);

    this.addSql(`create index "webchat_upload_session_id_index" on "webchat_upload" ("session_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "webchat_session_last_seen_at_index";`);

    this.addSql(`drop index "webchat_upload_session_id_index";`);
  }

}
