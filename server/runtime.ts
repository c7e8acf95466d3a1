import type { ContainerRuntime } from "../worker/runtime/container-runtime";
import { DockerRuntime } from "../worker/runtime/docker-runtime";
import { containerEngine } from "./container-engine";

let runtime: ContainerRuntime | undefined;

/** The container runtime used by the domain (web for logs and health, worker for everything). */
export function containerRuntime(): ContainerRuntime {
  runtime ??= new DockerRuntime(containerEngine());
  return runtime;
}
