import { MigrationInterface, QueryRunner } from "typeorm";

export class Webhooks1796583469663 implements MigrationInterface {
    name = 'Webhooks1796583469663'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "webhook_deliveries" (
                "id" character varying(36) NOT NULL,
                "endpoint_id" character varying(36) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "event_id" character varying(36) NOT NULL,
                "event_type" character varying(32) NOT NULL,
                "occurred_at" TIMESTAMP NOT NULL,
                "payload" text NOT NULL,
                "status" character varying(16) NOT NULL,
                "attempts" integer NOT NULL DEFAULT '0',
                "next_attempt_at" TIMESTAMP NOT NULL,
                "lease_until" TIMESTAMP,
                "last_status_code" integer,
                "last_error" character varying(500),
                "delivered_at" TIMESTAMP,
                "created_at" TIMESTAMP NOT NULL,
                CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_webhook_deliveries_endpoint_created" ON "webhook_deliveries" ("endpoint_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries" ("status", "next_attempt_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_webhook_deliveries_endpoint_event" ON "webhook_deliveries" ("endpoint_id", "event_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "webhook_endpoints" (
                "id" character varying(36) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "url" character varying(2000) NOT NULL,
                "events" text NOT NULL,
                "description" character varying(500),
                "format" character varying(16) NOT NULL,
                "status" character varying(16) NOT NULL,
                "disabled_reason" character varying(200),
                "secret" text NOT NULL,
                "previous_secret" text,
                "previous_secret_expires_at" TIMESTAMP,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP NOT NULL,
                CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_webhook_endpoints_partner" ON "webhook_endpoints" ("partner_id", "status")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_endpoints_partner"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_endpoints"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_webhook_deliveries_endpoint_event"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_deliveries_due"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_deliveries_endpoint_created"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_deliveries"
        `);
    }

}
