-- CreateEnum
CREATE TYPE "PaynowMethod" AS ENUM ('WEB', 'ECOCASH', 'ONEMONEY');

-- CreateEnum
CREATE TYPE "PaynowPaymentStatus" AS ENUM ('PENDING', 'PAID', 'FAILED');

-- CreateEnum
CREATE TYPE "BillingEventSource" AS ENUM ('KILLBILL', 'BUILTIN', 'PAYNOW');

-- CreateEnum
CREATE TYPE "BillingEventStatus" AS ENUM ('RECEIVED', 'PROCESSED', 'IGNORED', 'REJECTED', 'FAILED');

-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "billingSuspendedAt" TIMESTAMP(3),
ADD COLUMN     "deleteAfter" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "billingAccountId" TEXT,
ADD COLUMN     "trialInstanceId" TEXT,
ADD COLUMN     "trialUsedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Subscription" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "planName" TEXT NOT NULL,
    "phaseType" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "chargedThroughDate" TIMESTAMP(3),
    "cancelledDate" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "invoiceNumber" TEXT NOT NULL,
    "invoiceDate" TIMESTAMP(3) NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "balanceCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'COMMITTED',
    "subscriptionIds" TEXT[],
    "paidAt" TIMESTAMP(3),
    "paymentFailedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoicePayment" (
    "id" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "externalKey" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InvoicePayment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaynowPayment" (
    "id" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "method" "PaynowMethod" NOT NULL,
    "phone" TEXT,
    "amountCents" INTEGER NOT NULL,
    "pollUrl" TEXT NOT NULL DEFAULT '',
    "browserUrl" TEXT,
    "instructions" TEXT,
    "status" "PaynowPaymentStatus" NOT NULL DEFAULT 'PENDING',
    "paynowStatus" TEXT NOT NULL DEFAULT 'Created',
    "paynowReference" TEXT,
    "failureReason" TEXT,
    "paidAt" TIMESTAMP(3),
    "recordedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaynowPayment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BillingEvent" (
    "id" TEXT NOT NULL,
    "source" "BillingEventSource" NOT NULL,
    "eventType" TEXT NOT NULL,
    "objectType" TEXT,
    "objectId" TEXT,
    "accountId" TEXT,
    "metaData" TEXT,
    "dedupeKey" TEXT NOT NULL,
    "status" "BillingEventStatus" NOT NULL DEFAULT 'RECEIVED',
    "result" TEXT,
    "deliveries" INTEGER NOT NULL DEFAULT 1,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastDeliveredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "BillingEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_instanceId_key" ON "Subscription"("instanceId");

-- CreateIndex
CREATE INDEX "Subscription_userId_idx" ON "Subscription"("userId");

-- CreateIndex
CREATE INDEX "Subscription_state_chargedThroughDate_idx" ON "Subscription"("state", "chargedThroughDate");

-- CreateIndex
CREATE INDEX "Invoice_userId_invoiceDate_idx" ON "Invoice"("userId", "invoiceDate");

-- CreateIndex
CREATE INDEX "Invoice_balanceCents_invoiceDate_idx" ON "Invoice"("balanceCents", "invoiceDate");

-- CreateIndex
CREATE UNIQUE INDEX "InvoicePayment_externalKey_key" ON "InvoicePayment"("externalKey");

-- CreateIndex
CREATE UNIQUE INDEX "PaynowPayment_reference_key" ON "PaynowPayment"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "PaynowPayment_paynowReference_key" ON "PaynowPayment"("paynowReference");

-- CreateIndex
CREATE INDEX "PaynowPayment_userId_createdAt_idx" ON "PaynowPayment"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "PaynowPayment_status_createdAt_idx" ON "PaynowPayment"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "BillingEvent_dedupeKey_key" ON "BillingEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "BillingEvent_receivedAt_idx" ON "BillingEvent"("receivedAt");

-- CreateIndex
CREATE INDEX "BillingEvent_status_receivedAt_idx" ON "BillingEvent"("status", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "User_billingAccountId_key" ON "User"("billingAccountId");

-- CreateIndex
CREATE UNIQUE INDEX "User_trialInstanceId_key" ON "User"("trialInstanceId");

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoicePayment" ADD CONSTRAINT "InvoicePayment_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaynowPayment" ADD CONSTRAINT "PaynowPayment_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaynowPayment" ADD CONSTRAINT "PaynowPayment_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
