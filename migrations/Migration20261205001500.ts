import { Migration } from '@mikro-orm/migrations';

export class Migration20261205001500 extends Migration {

  override name = 'Migration20261205001500';

  override up(): void | Promise<void> {
    this.addSql(`create index "read_state_conversation_id_last_read_seq_index" on "read_state" ("conversation_id", "last_read_seq");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "read_state_conversation_id_last_read_seq_index";`);
  }

}
