import { Migration } from '@mikro-orm/migrations';

export class Migration20261203170721 extends Migration {

  override name = 'Migration20261203170721';

  override up(): void | Promise<void> {
    this.addSql(`create index "surface_thread_teams_conversation_idx" on "surface_thread" ((ref->>'conversation')) where surface = 'teams';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "surface_thread_teams_conversation_idx";`);
  }

}
