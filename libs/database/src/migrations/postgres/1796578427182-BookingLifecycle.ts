import { MigrationInterface, QueryRunner } from "typeorm";

export class BookingLifecycle1796578427182 implements MigrationInterface {
    name = 'BookingLifecycle1796578427182'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."ix_offer_variants_analytics"
        `);
        await queryRunner.query(`
            CREATE TABLE "booking_changes" (
                "id" character varying(24) NOT NULL,
                "booking_id" character varying(20) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "kind" character varying(16) NOT NULL,
                "booking_version" integer NOT NULL,
                "plan" text NOT NULL,
                "api_key_id" character varying(36) NOT NULL,
                "confirm_before" TIMESTAMP NOT NULL,
                "applied_at" TIMESTAMP,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                CONSTRAINT "PK_d2e6a6a5a14fa4f8507c7840715" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_booking_changes_booking" ON "booking_changes" ("booking_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "booking_events" (
                "id" character varying(36) NOT NULL,
                "booking_id" character varying(20) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "version" integer NOT NULL,
                "type" character varying(32) NOT NULL,
                "at" TIMESTAMP NOT NULL,
                "actor" text NOT NULL,
                "idempotency_key" character varying(255),
                "before" text,
                "after" text NOT NULL,
                CONSTRAINT "PK_bb7037dff63ec344eba13da5d0b" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_booking_events_version" ON "booking_events" ("booking_id", "version")
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings"
            ADD "version" integer NOT NULL DEFAULT '1'
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings"
            ADD "total_refund_minor" integer NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings"
            ADD "context" text
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings"
            ADD "updated_at" TIMESTAMP
        `);
        // a booking confirmed before this migration was last changed when it was confirmed
        await queryRunner.query(`
            UPDATE "bookings" SET "updated_at" = "created_at"
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings" ALTER COLUMN "updated_at" SET NOT NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings"
            ADD "cancelled_at" TIMESTAMP
        `);
        await queryRunner.query(`
            ALTER TABLE "booking_items"
            ADD "status" character varying(16) NOT NULL DEFAULT 'CONFIRMED'
        `);
        // each booking confirmed before this migration gets its booking.created event: the booking as confirmed
        await queryRunner.query(`
            INSERT INTO "booking_events" ("id", "booking_id", "partner_id", "version", "type", "at", "actor", "idempotency_key", "before", "after")
            SELECT gen_random_uuid()::text, "id", "partner_id", 1, 'booking.created', "created_at",
                   json_build_object('api_key_id', "api_key_id")::text, NULL, NULL, "response"
            FROM "bookings"
        `);
        await queryRunner.query(`
            ALTER TABLE "booking_items"
            ADD "cancelled_at" TIMESTAMP
        `);
        await queryRunner.query(`
            ALTER TABLE "booking_items"
            ADD "refund_minor" integer
        `);
        await queryRunner.query(`
            ALTER TABLE "offer_variants"
            ADD "cancellations" integer NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "offer_variants"
            ADD "refunded_minor" integer NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "offer_variants"
            ADD "refunded_premium_minor" integer NOT NULL DEFAULT '0'
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
            DROP INDEX "public"."ix_offer_variants_analytics"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_bookings_partner_status_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_bookings_partner_transaction"
        `);
        await queryRunner.query(`
            ALTER TABLE "offer_variants" DROP COLUMN "refunded_premium_minor"
        `);
        await queryRunner.query(`
            ALTER TABLE "offer_variants" DROP COLUMN "refunded_minor"
        `);
        await queryRunner.query(`
            ALTER TABLE "offer_variants" DROP COLUMN "cancellations"
        `);
        await queryRunner.query(`
            ALTER TABLE "booking_items" DROP COLUMN "refund_minor"
        `);
        await queryRunner.query(`
            ALTER TABLE "booking_items" DROP COLUMN "cancelled_at"
        `);
        await queryRunner.query(`
            ALTER TABLE "booking_items" DROP COLUMN "status"
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings" DROP COLUMN "cancelled_at"
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings" DROP COLUMN "updated_at"
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings" DROP COLUMN "context"
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings" DROP COLUMN "total_refund_minor"
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings" DROP COLUMN "version"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_booking_events_version"
        `);
        await queryRunner.query(`
            DROP TABLE "booking_events"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_booking_changes_booking"
        `);
        await queryRunner.query(`
            DROP TABLE "booking_changes"
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_offer_variants_analytics" ON "offer_variants" (
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
        `);
    }

}
