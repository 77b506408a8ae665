import { MigrationInterface, QueryRunner } from "typeorm";

export class Bookings1795633815086 implements MigrationInterface {
    name = 'Bookings1795633815086'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "bookings" (
                "id" varchar(20) PRIMARY KEY NOT NULL,
                "offer_id" varchar(36) NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "api_key_id" varchar(36) NOT NULL,
                "offer_config_id" varchar(64) NOT NULL,
                "status" varchar(16) NOT NULL,
                "currency" varchar(3) NOT NULL,
                "total_price_minor" integer NOT NULL,
                "total_tax_minor" integer NOT NULL,
                "total_premium_minor" integer NOT NULL,
                "partner_transaction_id" varchar(200),
                "policyholder" text NOT NULL,
                "response" text NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_bookings_partner_created" ON "bookings" ("partner_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_bookings_offer" ON "bookings" ("offer_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "booking_items" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "booking_id" varchar(20) NOT NULL,
                "offer_id" varchar(36) NOT NULL,
                "quote_id" varchar(36) NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "product_code" varchar(64) NOT NULL,
                "policy_number" varchar(32) NOT NULL,
                "currency" varchar(3) NOT NULL,
                "premium_minor" integer NOT NULL,
                "tax_minor" integer NOT NULL,
                "price_minor" integer NOT NULL,
                "policy_start" datetime NOT NULL,
                "policy_end" datetime,
                "insured" text NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_booking_items_booking" ON "booking_items" ("booking_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_booking_items_offer" ON "booking_items" ("offer_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_booking_items_policy_number" ON "booking_items" ("policy_number")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_booking_items_quote" ON "booking_items" ("quote_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "offer_variants" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "offer_id" varchar(36) NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "offer_config_id" varchar(64) NOT NULL,
                "experiment_key" varchar(64),
                "variant" varchar(64),
                "ordinal" integer NOT NULL,
                "currency" varchar(3) NOT NULL,
                "status" varchar(16) NOT NULL,
                "premium_minor" integer NOT NULL DEFAULT (0),
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_offer_variants_analytics" ON "offer_variants" (
                "partner_id",
                "created_at",
                "offer_config_id",
                "experiment_key",
                "variant",
                "ordinal",
                "currency",
                "status",
                "premium_minor"
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_offer_variants_offer_ordinal" ON "offer_variants" ("offer_id", "ordinal")
        `);
        await queryRunner.query(`
            CREATE TABLE "opt_out_events" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "offer_id" varchar(36) NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "api_key_id" varchar(36) NOT NULL,
                "body" text NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_opt_out_events_offer" ON "opt_out_events" ("offer_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_opt_out_events_partner_created" ON "opt_out_events" ("partner_id", "created_at")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "ix_opt_out_events_partner_created"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_opt_out_events_offer"
        `);
        await queryRunner.query(`
            DROP TABLE "opt_out_events"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_offer_variants_offer_ordinal"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_offer_variants_analytics"
        `);
        await queryRunner.query(`
            DROP TABLE "offer_variants"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_booking_items_quote"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_booking_items_policy_number"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_booking_items_offer"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_booking_items_booking"
        `);
        await queryRunner.query(`
            DROP TABLE "booking_items"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_bookings_offer"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_bookings_partner_created"
        `);
        await queryRunner.query(`
            DROP TABLE "bookings"
        `);
    }

}
