import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Retention of offers never bought: the analytics roll-ups of the offers it deletes, the lease of
 * the background job, the offer of an idempotency record, and the partial indexes the purge reads
 * its candidates through. Written by hand (ADD COLUMN instead of rebuilding idempotency_records).
 */
export class Retention1796600000000 implements MigrationInterface {
    name = 'Retention1796600000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "offer_rollups" (
                "partner_id" varchar(36) NOT NULL,
                "day" datetime NOT NULL,
                "offer_config_id" varchar(64) NOT NULL,
                "experiment_key" varchar(64) NOT NULL,
                "variant" varchar(64) NOT NULL,
                "currency" varchar(3) NOT NULL,
                "is_primary" integer NOT NULL,
                "offers" integer NOT NULL,
                "opt_outs" integer NOT NULL,
                PRIMARY KEY (
                    "partner_id",
                    "day",
                    "offer_config_id",
                    "experiment_key",
                    "variant",
                    "currency",
                    "is_primary"
                )
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "job_leases" (
                "name" varchar(64) PRIMARY KEY NOT NULL,
                "holder" varchar(64) NOT NULL,
                "expires_at" datetime NOT NULL
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "idempotency_records"
            ADD COLUMN "offer_id" varchar(36)
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_idempotency_offer" ON "idempotency_records" ("offer_id")
        `);
        await queryRunner.query(`
            CREATE INDEX IF NOT EXISTS "ix_offers_unbought_expires" ON "offers" ("expires_at")
            WHERE status IN ('OFFERED', 'OPTED_OUT')
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_booking_changes_unapplied_confirm_before" ON "booking_changes" ("confirm_before")
            WHERE applied_at IS NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "ix_booking_changes_unapplied_confirm_before"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_offers_unbought_expires"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_idempotency_offer"
        `);
        await queryRunner.query(`
            ALTER TABLE "idempotency_records" DROP COLUMN "offer_id"
        `);
        await queryRunner.query(`
            DROP TABLE "job_leases"
        `);
        await queryRunner.query(`
            DROP TABLE "offer_rollups"
        `);
    }

}
