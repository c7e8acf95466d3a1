-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "odooAdminCheckedAt" TIMESTAMP(3),
ADD COLUMN     "odooAdminHashEnc" TEXT,
ADD COLUMN     "odooBaseUrl" TEXT,
ADD COLUMN     "odooLang" TEXT NOT NULL DEFAULT 'en_US',
ADD COLUMN     "odooLoginSetAt" TIMESTAMP(3),
ADD COLUMN     "odooPasswordNoticeAt" TIMESTAMP(3),
ADD COLUMN     "odooTimezone" TEXT NOT NULL DEFAULT 'UTC';
