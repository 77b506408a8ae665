import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1795631191317 implements MigrationInterface {
    name = 'Initial1795631191317'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "audit_log" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "actor" varchar(100) NOT NULL,
                "action" varchar(64) NOT NULL,
                "partner_code" varchar(32),
                "target_type" varchar(32) NOT NULL,
                "target_id" varchar(128),
                "before" text,
                "after" text,
                "request_id" varchar(64),
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_audit_partner" ON "audit_log" ("partner_code")
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_audit_created" ON "audit_log" ("created_at")
        `);
        await queryRunner.query(`
            CREATE TABLE "bundle_versions" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "version" integer NOT NULL,
                "document" text NOT NULL,
                "source" varchar(64) NOT NULL,
                "created_by" varchar(100) NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_bundle_versions_partner_version" ON "bundle_versions" ("partner_id", "version")
        `);
        await queryRunner.query(`
            CREATE TABLE "offer_configs" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "version" integer NOT NULL,
                "config_id" varchar(64) NOT NULL,
                "schema_id" varchar(64) NOT NULL,
                "status" varchar(16) NOT NULL,
                "priority" integer NOT NULL DEFAULT (0),
                "definition" text NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_offer_configs_version_id" ON "offer_configs" ("partner_id", "version", "config_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "offer_schemas" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "version" integer NOT NULL,
                "schema_id" varchar(64) NOT NULL,
                "description" text,
                "json_schema" text NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_offer_schemas_version_id" ON "offer_schemas" ("partner_id", "version", "schema_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "idempotency_records" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "route" varchar(32) NOT NULL,
                "key" varchar(255) NOT NULL,
                "request_hash" varchar(64) NOT NULL,
                "state" varchar(16) NOT NULL,
                "response_status" integer,
                "response_body" text,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "expires_at" datetime NOT NULL
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_idempotency_expires" ON "idempotency_records" ("expires_at")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_idempotency_scope" ON "idempotency_records" ("partner_id", "route", "key")
        `);
        await queryRunner.query(`
            CREATE TABLE "offers" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "offer_config_id" varchar(64) NOT NULL,
                "bundle_version" integer NOT NULL,
                "schema_id" varchar(64) NOT NULL,
                "api_key_id" varchar(36) NOT NULL,
                "key_mode" varchar(8) NOT NULL,
                "currency" varchar(3) NOT NULL,
                "partner_transaction_id" varchar(200),
                "experiments" text NOT NULL,
                "request" text NOT NULL,
                "response" text NOT NULL,
                "status" varchar(16) NOT NULL DEFAULT ('OFFERED'),
                "booking_id" varchar(20),
                "expires_at" datetime NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_offers_partner_created" ON "offers" ("partner_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE TABLE "quotes" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "offer_id" varchar(36) NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "product_code" varchar(64) NOT NULL,
                "product_name" varchar(200) NOT NULL,
                "currency" varchar(3) NOT NULL,
                "premium_minor" integer NOT NULL,
                "surcharge_minor" integer NOT NULL,
                "tax_minor" integer NOT NULL,
                "commission_minor" integer NOT NULL,
                "price_minor" integer NOT NULL,
                "policy_start" datetime NOT NULL,
                "policy_end" datetime,
                "pds_url" varchar(2000),
                "experiment" text,
                "status" varchar(16) NOT NULL DEFAULT ('OFFERED'),
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_quotes_offer" ON "quotes" ("offer_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "admin_keys" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "name" varchar(200) NOT NULL DEFAULT (''),
                "prefix" varchar(32) NOT NULL,
                "key_hash" varchar(64) NOT NULL,
                "created_by" varchar(100) NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "revoked_at" datetime
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_admin_keys_hash" ON "admin_keys" ("key_hash")
        `);
        await queryRunner.query(`
            CREATE TABLE "api_keys" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "partner_id" varchar(36) NOT NULL,
                "name" varchar(200) NOT NULL DEFAULT (''),
                "mode" varchar(8) NOT NULL,
                "prefix" varchar(32) NOT NULL,
                "key_hash" varchar(64) NOT NULL,
                "signing" boolean NOT NULL DEFAULT (0),
                "secret_enc" text,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "revoked_at" datetime
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_api_keys_partner" ON "api_keys" ("partner_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_api_keys_hash" ON "api_keys" ("key_hash")
        `);
        await queryRunner.query(`
            CREATE TABLE "partners" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "code" varchar(32) NOT NULL,
                "name" varchar(200) NOT NULL,
                "status" varchar(16) NOT NULL DEFAULT ('active'),
                "default_schema" varchar(64),
                "rate_limits" text,
                "current_version" integer NOT NULL DEFAULT (0),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "deleted_at" datetime
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_partners_code" ON "partners" ("code")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "uq_partners_code"
        `);
        await queryRunner.query(`
            DROP TABLE "partners"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_api_keys_hash"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_api_keys_partner"
        `);
        await queryRunner.query(`
            DROP TABLE "api_keys"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_admin_keys_hash"
        `);
        await queryRunner.query(`
            DROP TABLE "admin_keys"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_quotes_offer"
        `);
        await queryRunner.query(`
            DROP TABLE "quotes"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_offers_partner_created"
        `);
        await queryRunner.query(`
            DROP TABLE "offers"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_idempotency_scope"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_idempotency_expires"
        `);
        await queryRunner.query(`
            DROP TABLE "idempotency_records"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_offer_schemas_version_id"
        `);
        await queryRunner.query(`
            DROP TABLE "offer_schemas"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_offer_configs_version_id"
        `);
        await queryRunner.query(`
            DROP TABLE "offer_configs"
        `);
        await queryRunner.query(`
            DROP INDEX "uq_bundle_versions_partner_version"
        `);
        await queryRunner.query(`
            DROP TABLE "bundle_versions"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_audit_created"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_audit_partner"
        `);
        await queryRunner.query(`
            DROP TABLE "audit_log"
        `);
    }

}
