import { UnrecoverableError, type Job } from "bullmq";
import { processBillingEvent } from "@/server/domain/billing/process-billing-event";
import { pollPaynowPayment } from "@/server/domain/billing/paynow-payments";
import { cancelSubscriptionNow, startSubscription } from "@/server/domain/billing/subscriptions";
import { withLogContext } from "@/server/log-context";
import { JOB, ZBillingEventPayload, ZInstanceJobPayload, ZPaynowPollPayload } from "@/server/queue/queues";

/**
 * The billing queue: stored billing events, subscription calls to the provider and Paynow
 * polls. Failures (provider unreachable) are rethrown so BullMQ retries with backoff and keeps
 * the failed job as evidence.
 */
export function processBillingJob(job: Job): Promise<unknown> {
  return withLogContext({ jobId: job.id, job: job.name, queue: job.queueName }, () => runBillingJob(job));
}

function runBillingJob(job: Job): Promise<unknown> {
  switch (job.name) {
    case JOB.processBillingEvent:
      return processBillingEvent(ZBillingEventPayload.parse(job.data).billingEventId);
    case JOB.startSubscription:
      return startSubscription(ZInstanceJobPayload.parse(job.data).instanceId);
    case JOB.cancelSubscription:
      return cancelSubscriptionNow(ZInstanceJobPayload.parse(job.data).instanceId);
    case JOB.pollPaynowPayment: {
      const { paymentId, attempt } = ZPaynowPollPayload.parse(job.data);
      return pollPaynowPayment(paymentId, attempt);
    }
    default:
      throw new UnrecoverableError(`unknown billing job ${job.name}`);
  }
}
