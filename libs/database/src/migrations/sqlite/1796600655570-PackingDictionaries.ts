import { MigrationInterface, QueryRunner } from "typeorm";

/** Packing dictionaries of offer configurations (offers stored deflated against them on SQLite). */
export class PackingDictionaries1796600655570 implements MigrationInterface {
    name = 'PackingDictionaries1796600655570'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "packing_dictionaries" (
                "partner_id" varchar(36) NOT NULL,
                "offer_config_id" varchar(64) NOT NULL,
                "bundle_version" integer NOT NULL,
                "id" varchar(16) NOT NULL,
                "content" text NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                PRIMARY KEY (
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
