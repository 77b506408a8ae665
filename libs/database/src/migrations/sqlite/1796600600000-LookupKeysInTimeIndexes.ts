import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The erasure lookup keys move from indexes of their own into the trailing columns of the
 * (partner_id, created_at) indexes. Keys are random, so an index ordered by them took a random
 * leaf page on every Create Offer; the time-ordered index is written at its end, and an erasure
 * scans one partner's entries of it without reading the table. Written by hand.
 */
export class LookupKeysInTimeIndexes1796600600000 implements MigrationInterface {
    name = 'LookupKeysInTimeIndexes1796600600000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "ix_offers_email_key"`);
        await queryRunner.query(`DROP INDEX "ix_offers_customer_key"`);
        await queryRunner.query(`DROP INDEX "ix_bookings_email_key"`);
        await queryRunner.query(`DROP INDEX "ix_offers_partner_created"`);
        await queryRunner.query(`
            CREATE INDEX "ix_offers_partner_created" ON "offers" ("partner_id", "created_at", "email_key", "customer_key")
        `);
        await queryRunner.query(`DROP INDEX "ix_bookings_partner_created"`);
        await queryRunner.query(`
            CREATE INDEX "ix_bookings_partner_created" ON "bookings" ("partner_id", "created_at", "email_key")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "ix_bookings_partner_created"`);
        await queryRunner.query(`CREATE INDEX "ix_bookings_partner_created" ON "bookings" ("partner_id", "created_at")`);
        await queryRunner.query(`DROP INDEX "ix_offers_partner_created"`);
        await queryRunner.query(`CREATE INDEX "ix_offers_partner_created" ON "offers" ("partner_id", "created_at")`);
        await queryRunner.query(`CREATE INDEX "ix_bookings_email_key" ON "bookings" ("email_key") WHERE email_key IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "ix_offers_customer_key" ON "offers" ("customer_key") WHERE customer_key IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "ix_offers_email_key" ON "offers" ("email_key") WHERE email_key IS NOT NULL`);
    }

}
