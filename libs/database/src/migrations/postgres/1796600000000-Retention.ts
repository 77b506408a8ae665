import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Retention of offers never bought: the analytics roll-ups of the offers it deletes, the lease of
 * the background job, the offer of an idempotency record, and the partial indexes the purge reads
 * its candidates through. Written by hand. On a large `offers` table, ix_offers_unbought_expires
 * may be built beforehand without blocking writes (CREATE INDEX CONCURRENTLY, same definition):
 * this migration then leaves it as it is.
 */
export class Retention1796600000000 implements MigrationInterface {
    name = 'Retention1796600000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "offer_rollups" (
                "partner_id" character varying(36) NOT NULL,
                "day" TIMESTAMP NOT NULL,
                "offer_config_id" character varying(64) NOT NULL,
                "experiment_key" character varying(64) NOT NULL,
                "variant" character varying(64) NOT NULL,
                "currency" character varying(3) NOT NULL,
                "is_primary" integer NOT NULL,
                "offers" integer NOT NULL,
                "opt_outs" integer NOT NULL,
                CONSTRAINT "PK_a65704ac820656a3708d7f79ff8" PRIMARY KEY (
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
                "name" character varying(64) NOT NULL,
                "holder" character varying(64) NOT NULL,
                "expires_at" TIMESTAMP NOT NULL,
                CONSTRAINT "PK_a5aaa7b6169ce751dd85a6f0beb" PRIMARY KEY ("name")
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "idempotency_records"
            ADD "offer_id" character varying(36)
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
            DROP INDEX "public"."ix_booking_changes_unapplied_confirm_before"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_offers_unbought_expires"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_idempotency_offer"
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
