import { MigrationInterface, QueryRunner } from "typeorm";

export class Webhooks1796583457744 implements MigrationInterface {
    name = 'Webhooks1796583457744'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "webhook_deliveries" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "endpoint_id" varchar(36) NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "event_id" varchar(36) NOT NULL,
                "event_type" varchar(32) NOT NULL,
                "occurred_at" datetime NOT NULL,
                "payload" text NOT NULL,
                "status" varchar(16) NOT NULL,
                "attempts" integer NOT NULL DEFAULT (0),
                "next_attempt_at" datetime NOT NULL,
                "lease_until" datetime,
                "last_status_code" integer,
                "last_error" varchar(500),
                "delivered_at" datetime,
                "created_at" datetime NOT NULL
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
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "url" varchar(2000) NOT NULL,
                "events" text NOT NULL,
                "description" varchar(500),
                "format" varchar(16) NOT NULL,
                "status" varchar(16) NOT NULL,
                "disabled_reason" varchar(200),
                "secret" text NOT NULL,
                "previous_secret" text,
                "previous_secret_expires_at" datetime,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_webhook_endpoints_partner" ON "webhook_endpoints" ("partner_id", "status")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "ix_webhook_endpoints_partner"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_endpoints"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_webhook_deliveries_endpoint_event"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_webhook_deliveries_due"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_webhook_deliveries_endpoint_created"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_deliveries"
        `);
    }

}
