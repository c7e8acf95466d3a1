// Provisions one instance and SIGKILLs its own process right after the given step: a worker
// dying mid-job, for real (no finally blocks, no cleanup, connections cut).
// Used by server/domain/instances/instances.int.test.ts; not a tool for operators.
//
//   tsx testing/provision-until-killed.ts <instanceId> <database|volume|container|initialise|start>
import "@/server/load-dotenv";
import { PROVISION_STEPS, provisionInstance, type ProvisionStep } from "@/server/domain/instances/provision-instance";

const [instanceId, step] = process.argv.slice(2);
if (!instanceId || !PROVISION_STEPS.includes(step as ProvisionStep)) {
  console.error(`usage: provision-until-killed <instanceId> <${PROVISION_STEPS.join("|")}>`);
  process.exit(2);
}

await provisionInstance(instanceId, {
  afterStep: (done) => {
    if (done === step) process.kill(process.pid, "SIGKILL");
  },
});
console.error(`provisioning finished without reaching the step ${step}`);
process.exit(1);
