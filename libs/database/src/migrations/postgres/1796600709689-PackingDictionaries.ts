import { MigrationInterface, QueryRunner } from "typeorm";

/** Packing dictionaries of offer configurations (offers stored deflated against them on SQLite). */
export class PackingDictionaries1796600709689 implements MigrationInterface {
    name = 'PackingDictionaries1796600709689'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "packing_dictionaries" (
                "partner_id" character varying(36) NOT NULL,
                "offer_config_id" character varying(64) NOT NULL,
                "bundle_version" integer NOT NULL,
                "id" character varying(16) NOT NULL,
                "content" text NOT NULL,
                "created_at" TIMESTAMP NOT NULL DEFAULT now(),
                CONSTRAINT "PK_dcdbba8d8344b230fb92c44d589" PRIMARY KEY (
                    "partner_id",
                    "offer_config_id",
                    "bundle_version"
                )
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "packing_dictionaries"
        `);
    }

}
