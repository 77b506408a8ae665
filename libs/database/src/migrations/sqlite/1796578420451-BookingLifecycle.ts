import { MigrationInterface, QueryRunner } from "typeorm";

export class BookingLifecycle1796578420451 implements MigrationInterface {
    name = 'BookingLifecycle1796578420451'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "ix_offer_variants_analytics"
        `);
        await queryRunner.query(`
            CREATE TABLE "booking_changes" (
                "id" varchar(24) PRIMARY KEY NOT NULL,
                "booking_id" varchar(20) NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "kind" varchar(16) NOT NULL,
                "booking_version" integer NOT NULL,
                "plan" text NOT NULL,
                "api_key_id" varchar(36) NOT NULL,
                "confirm_before" datetime NOT NULL,
                "applied_at" datetime,
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_booking_changes_booking" ON "booking_changes" ("booking_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "booking_events" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "booking_id" varchar(20) NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "version" integer NOT NULL,
                "type" varchar(32) NOT NULL,
                "at" datetime NOT NULL,
                "actor" text NOT NULL,
                "idempotency_key" varchar(255),
                "before" text,
                "after" text NOT NULL
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_booking_events_version" ON "booking_events" ("booking_id", "version")
        `);
        await queryRunner.query(`
            DROP INDEX "uq_bookings_offer"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_bookings_partner_created"
        `);
        await queryRunner.query(`
            CREATE TABLE "temporary_bookings" (
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
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL DEFAULT (1),
                "total_refund_minor" integer NOT NULL DEFAULT (0),
                "context" text,
                "updated_at" datetime NOT NULL,
                "cancelled_at" datetime
            )
        `);
        await queryRunner.query(`
            INSERT INTO "temporary_bookings"(
                    "id",
                    "offer_id",
                    "partner_id",
                    "api_key_id",
                    "offer_config_id",
                    "status",
                    "currency",
                    "total_price_minor",
                    "total_tax_minor",
                    "total_premium_minor",
                    "partner_transaction_id",
                    "policyholder",
                    "response",
                    "created_at",
                    "updated_at"
                )
            SELECT "id",
                "offer_id",
                "partner_id",
                "api_key_id",
                "offer_config_id",
                "status",
                "currency",
                "total_price_minor",
                "total_tax_minor",
                "total_premium_minor",
                "partner_transaction_id",
                "policyholder",
                "response",
                "created_at",
                "created_at"
            FROM "bookings"
        `);
        await queryRunner.query(`
            DROP TABLE "bookings"
        `);
        await queryRunner.query(`
            ALTER TABLE "temporary_bookings"
                RENAME TO "bookings"
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_bookings_offer" ON "bookings" ("offer_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_bookings_partner_created" ON "bookings" ("partner_id", "created_at")
        `);
        // each booking confirmed before this migration gets its booking.created event: the booking as confirmed
        await queryRunner.query(`
            INSERT INTO "booking_events" ("id", "booking_id", "partner_id", "version", "type", "at", "actor", "idempotency_key", "before", "after")
            SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6))),
                   "id", "partner_id", 1, 'booking.created', "created_at", json_object('api_key_id', "api_key_id"), NULL, NULL, "response"
            FROM "bookings"
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
            CREATE TABLE "temporary_booking_items" (
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
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "status" varchar(16) NOT NULL DEFAULT ('CONFIRMED'),
                "cancelled_at" datetime,
                "refund_minor" integer
            )
        `);
        await queryRunner.query(`
            INSERT INTO "temporary_booking_items"(
                    "id",
                    "booking_id",
                    "offer_id",
                    "quote_id",
                    "partner_id",
                    "product_code",
                    "policy_number",
                    "currency",
                    "premium_minor",
                    "tax_minor",
                    "price_minor",
                    "policy_start",
                    "policy_end",
                    "insured",
                    "created_at"
                )
            SELECT "id",
                "booking_id",
                "offer_id",
                "quote_id",
                "partner_id",
                "product_code",
                "policy_number",
                "currency",
                "premium_minor",
                "tax_minor",
                "price_minor",
                "policy_start",
                "policy_end",
                "insured",
                "created_at"
            FROM "booking_items"
        `);
        await queryRunner.query(`
            DROP TABLE "booking_items"
        `);
        await queryRunner.query(`
            ALTER TABLE "temporary_booking_items"
                RENAME TO "booking_items"
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_booking_items_quote" ON "booking_items" ("quote_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_booking_items_policy_number" ON "booking_items" ("policy_number")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_booking_items_offer" ON "booking_items" ("offer_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_booking_items_booking" ON "booking_items" ("booking_id")
        `);
        await queryRunner.query(`
            DROP INDEX "uq_offer_variants_offer_ordinal"
        `);
        await queryRunner.query(`
            CREATE TABLE "temporary_offer_variants" (
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
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "cancellations" integer NOT NULL DEFAULT (0),
                "refunded_minor" integer NOT NULL DEFAULT (0),
                "refunded_premium_minor" integer NOT NULL DEFAULT (0)
            )
        `);
        await queryRunner.query(`
            INSERT INTO "temporary_offer_variants"(
                    "id",
                    "offer_id",
                    "partner_id",
                    "offer_config_id",
                    "experiment_key",
                    "variant",
                    "ordinal",
                    "currency",
                    "status",
                    "premium_minor",
                    "created_at"
                )
            SELECT "id",
                "offer_id",
                "partner_id",
                "offer_config_id",
                "experiment_key",
                "variant",
                "ordinal",
                "currency",
                "status",
                "premium_minor",
                "created_at"
            FROM "offer_variants"
        `);
        await queryRunner.query(`
            DROP TABLE "offer_variants"
        `);
        await queryRunner.query(`
            ALTER TABLE "temporary_offer_variants"
                RENAME TO "offer_variants"
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_offer_variants_offer_ordinal" ON "offer_variants" ("offer_id", "ordinal")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_bookings_partner_transaction" ON "bookings" (
                "partner_id",
                "partner_transaction_id",
                "created_at"
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_bookings_partner_status_created" ON "bookings" ("partner_id", "status", "created_at")
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
                "premium_minor",
                "cancellations",
                "refunded_minor",
                "refunded_premium_minor"
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "ix_offer_variants_analytics"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_bookings_partner_status_created"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_bookings_partner_transaction"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_offer_variants_offer_ordinal"
        `);
        await queryRunner.query(`
            ALTER TABLE "offer_variants"
                RENAME TO "temporary_offer_variants"
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
            INSERT INTO "offer_variants"(
                    "id",
                    "offer_id",
                    "partner_id",
                    "offer_config_id",
                    "experiment_key",
                    "variant",
                    "ordinal",
                    "currency",
                    "status",
                    "premium_minor",
                    "created_at"
                )
            SELECT "id",
                "offer_id",
                "partner_id",
                "offer_config_id",
                "experiment_key",
                "variant",
                "ordinal",
                "currency",
                "status",
                "premium_minor",
                "created_at"
            FROM "temporary_offer_variants"
        `);
        await queryRunner.query(`
            DROP TABLE "temporary_offer_variants"
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_offer_variants_offer_ordinal" ON "offer_variants" ("offer_id", "ordinal")
        `);
        await queryRunner.query(`
            DROP INDEX "ix_booking_items_booking"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_booking_items_offer"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_booking_items_policy_number"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_booking_items_quote"
        `);
        await queryRunner.query(`
            ALTER TABLE "booking_items"
                RENAME TO "temporary_booking_items"
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
            INSERT INTO "booking_items"(
                    "id",
                    "booking_id",
                    "offer_id",
                    "quote_id",
                    "partner_id",
                    "product_code",
                    "policy_number",
                    "currency",
                    "premium_minor",
                    "tax_minor",
                    "price_minor",
                    "policy_start",
                    "policy_end",
                    "insured",
                    "created_at"
                )
            SELECT "id",
                "booking_id",
                "offer_id",
                "quote_id",
                "partner_id",
                "product_code",
                "policy_number",
                "currency",
                "premium_minor",
                "tax_minor",
                "price_minor",
                "policy_start",
                "policy_end",
                "insured",
                "created_at"
            FROM "temporary_booking_items"
        `);
        await queryRunner.query(`
            DROP TABLE "temporary_booking_items"
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
            DROP INDEX "ix_bookings_partner_created"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_bookings_offer"
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings"
                RENAME TO "temporary_bookings"
        `);
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
            INSERT INTO "bookings"(
                    "id",
                    "offer_id",
                    "partner_id",
                    "api_key_id",
                    "offer_config_id",
                    "status",
                    "currency",
                    "total_price_minor",
                    "total_tax_minor",
                    "total_premium_minor",
                    "partner_transaction_id",
                    "policyholder",
                    "response",
                    "created_at"
                )
            SELECT "id",
                "offer_id",
                "partner_id",
                "api_key_id",
                "offer_config_id",
                "status",
                "currency",
                "total_price_minor",
                "total_tax_minor",
                "total_premium_minor",
                "partner_transaction_id",
                "policyholder",
                "response",
                "created_at"
            FROM "temporary_bookings"
        `);
        await queryRunner.query(`
            DROP TABLE "temporary_bookings"
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_bookings_partner_created" ON "bookings" ("partner_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_bookings_offer" ON "bookings" ("offer_id")
        `);
        await queryRunner.query(`
            DROP INDEX "uq_booking_events_version"
        `);
        await queryRunner.query(`
            DROP TABLE "booking_events"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_booking_changes_booking"
        `);
        await queryRunner.query(`
            DROP TABLE "booking_changes"
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
    }

}
