import { MigrationInterface, QueryRunner } from "typeorm";
import { backfillLookupKeys } from "../erasure-backfill";

/**
 * Erasure of a person (GDPR Art. 17): the lookup keys an erasure finds a person's offers and
 * bookings by (@app/privacy), filled in for the rows stored before, and their partial indexes.
 * Written by hand (ADD COLUMN instead of rebuilding offers and bookings). The backfill reads every
 * offer's request once (about 10 s per million offers), and the indexes are built after it.
 */
export class Erasure1796600100000 implements MigrationInterface {
    name = 'Erasure1796600100000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "offers"
            ADD COLUMN "email_key" bigint
        `);
        await queryRunner.query(`
            ALTER TABLE "offers"
            ADD COLUMN "customer_key" bigint
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings"
            ADD COLUMN "email_key" bigint
        `);
        await backfillLookupKeys(queryRunner, 'sqlite');
        await queryRunner.query(`
            CREATE INDEX "ix_offers_email_key" ON "offers" ("email_key")
            WHERE email_key IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_offers_customer_key" ON "offers" ("customer_key")
            WHERE customer_key IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "ix_bookings_email_key" ON "bookings" ("email_key")
            WHERE email_key IS NOT NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "ix_bookings_email_key"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_offers_customer_key"
        `);
        await queryRunner.query(`
            DROP INDEX "ix_offers_email_key"
        `);
        await queryRunner.query(`
            ALTER TABLE "bookings" DROP COLUMN "email_key"
        `);
        await queryRunner.query(`
            ALTER TABLE "offers" DROP COLUMN "customer_key"
        `);
        await queryRunner.query(`
            ALTER TABLE "offers" DROP COLUMN "email_key"
        `);
    }

}
