import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1795631210457 implements MigrationInterface {
    name = 'Initial1795631210457'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "audit_log" (
                "id" character varying(36) NOT NULL,
                "actor" character varying(100) NOT NULL,
                "action" character varying(64) NOT NULL,
                "partner_code" character varying(32),
                "target_type" character varying(32) NOT NULL,
                "target_id" character varying(128),
                "before" text,
                "after" text,
                "request_id" character varying(64),
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id")
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
                "id" character varying(36) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "version" integer NOT NULL,
                "document" text NOT NULL,
                "source" character varying(64) NOT NULL,
                "created_by" character varying(100) NOT NULL,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                CONSTRAINT "PK_9740fc6d0707832b2fa2a1d0615" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_bundle_versions_partner_version" ON "bundle_versions" ("partner_id", "version")
        `);
        await queryRunner.query(`
            CREATE TABLE "offer_configs" (
                "id" character varying(36) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "version" integer NOT NULL,
                "config_id" character varying(64) NOT NULL,
                "schema_id" character varying(64) NOT NULL,
                "status" character varying(16) NOT NULL,
                "priority" integer NOT NULL DEFAULT '0',
                "definition" text NOT NULL,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                CONSTRAINT "PK_47405b67426bba5fb3b21701021" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_offer_configs_version_id" ON "offer_configs" ("partner_id", "version", "config_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "offer_schemas" (
                "id" character varying(36) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "version" integer NOT NULL,
                "schema_id" character varying(64) NOT NULL,
                "description" text,
                "json_schema" text NOT NULL,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                CONSTRAINT "PK_8ad49b6bf448f4a3bec2c149a6b" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_offer_schemas_version_id" ON "offer_schemas" ("partner_id", "version", "schema_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "idempotency_records" (
                "id" character varying(36) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "route" character varying(32) NOT NULL,
                "key" character varying(255) NOT NULL,
                "request_hash" character varying(64) NOT NULL,
                "state" character varying(16) NOT NULL,
                "response_status" integer,
                "response_body" text,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                "expires_at" TIMESTAMP NOT NULL,
                CONSTRAINT "PK_9ae4e93699362b0d4e3da3dd1c2" PRIMARY KEY ("id")
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
                "id" character varying(36) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "offer_config_id" character varying(64) NOT NULL,
                "bundle_version" integer NOT NULL,
                "schema_id" character varying(64) NOT NULL,
                "api_key_id" character varying(36) NOT NULL,
                "key_mode" character varying(8) NOT NULL,
                "currency" character varying(3) NOT NULL,
                "partner_transaction_id" character varying(200),
                "experiments" text NOT NULL,
                "request" text NOT NULL,
                "response" text NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'OFFERED',
                "booking_id" character varying(20),
                "expires_at" TIMESTAMP NOT NULL,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
                CONSTRAINT "PK_4c88e956195bba85977da21b8f4" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_offers_partner_created" ON "offers" ("partner_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE TABLE "quotes" (
                "id" character varying(36) NOT NULL,
                "offer_id" character varying(36) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "product_code" character varying(64) NOT NULL,
                "product_name" character varying(200) NOT NULL,
                "currency" character varying(3) NOT NULL,
                "premium_minor" integer NOT NULL,
                "surcharge_minor" integer NOT NULL,
                "tax_minor" integer NOT NULL,
                "commission_minor" integer NOT NULL,
                "price_minor" integer NOT NULL,
                "policy_start" TIMESTAMP NOT NULL,
                "policy_end" TIMESTAMP,
                "pds_url" character varying(2000),
                "experiment" text,
                "status" character varying(16) NOT NULL DEFAULT 'OFFERED',
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                CONSTRAINT "PK_99a0e8bcbcd8719d3a41f23c263" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_quotes_offer" ON "quotes" ("offer_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "admin_keys" (
                "id" character varying(36) NOT NULL,
                "name" character varying(200) NOT NULL DEFAULT '',
                "prefix" character varying(32) NOT NULL,
                "key_hash" character varying(64) NOT NULL,
                "created_by" character varying(100) NOT NULL,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                "revoked_at" TIMESTAMP,
                CONSTRAINT "PK_4622859d2dc71470144026c1a1d" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_admin_keys_hash" ON "admin_keys" ("key_hash")
        `);
        await queryRunner.query(`
            CREATE TABLE "api_keys" (
                "id" character varying(36) NOT NULL,
                "partner_id" character varying(36) NOT NULL,
                "name" character varying(200) NOT NULL DEFAULT '',
                "mode" character varying(8) NOT NULL,
                "prefix" character varying(32) NOT NULL,
                "key_hash" character varying(64) NOT NULL,
                "signing" boolean NOT NULL DEFAULT false,
                "secret_enc" text,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                "revoked_at" TIMESTAMP,
                CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id")
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
                "id" character varying(36) NOT NULL,
                "code" character varying(32) NOT NULL,
                "name" character varying(200) NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'active',
                "default_schema" character varying(64),
                "rate_limits" text,
                "current_version" integer NOT NULL DEFAULT '0',
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
                "deleted_at" TIMESTAMP,
                CONSTRAINT "PK_998645b20820e4ab99aeae03b41" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_partners_code" ON "partners" ("code")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."uq_partners_code"
        `);
        await queryRunner.query(`
            DROP TABLE "partners"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_api_keys_hash"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_api_keys_partner"
        `);
        await queryRunner.query(`
            DROP TABLE "api_keys"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_admin_keys_hash"
        `);
        await queryRunner.query(`
            DROP TABLE "admin_keys"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_quotes_offer"
        `);
        await queryRunner.query(`
            DROP TABLE "quotes"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_offers_partner_created"
        `);
        await queryRunner.query(`
            DROP TABLE "offers"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_idempotency_scope"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_idempotency_expires"
        `);
        await queryRunner.query(`
            DROP TABLE "idempotency_records"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_offer_schemas_version_id"
        `);
        await queryRunner.query(`
            DROP TABLE "offer_schemas"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_offer_configs_version_id"
        `);
        await queryRunner.query(`
            DROP TABLE "offer_configs"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_bundle_versions_partner_version"
        `);
        await queryRunner.query(`
            DROP TABLE "bundle_versions"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_audit_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."ix_audit_partner"
        `);
        await queryRunner.query(`
            DROP TABLE "audit_log"
        `);
    }

}
