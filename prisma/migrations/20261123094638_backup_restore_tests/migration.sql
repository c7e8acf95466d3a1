-- AlterTable
ALTER TABLE "Backup" ADD COLUMN     "restoreTestError" TEXT,
ADD COLUMN     "restoreTestedAt" TIMESTAMP(3);
