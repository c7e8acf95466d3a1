import Docker from "dockerode";
import { env } from "../env";
import type { ContainerRuntime } from "./container-runtime";
import { DockerRuntime } from "./docker-runtime";

/** Connection options for dockerode from a DOCKER_HOST value (unix socket or TCP). */
export function dockerOptions(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith("unix://")) return { socketPath: dockerHost.slice("unix://".length) };
  const url = new URL(dockerHost.replace(/^tcp:/, "http:"));
  return {
    protocol: url.protocol === "https:" ? "https" : "http",
    host: url.hostname,
    port: Number(url.port || (url.protocol === "https:" ? 2376 : 2375)),
  };
}

let client: Docker | undefined;
let runtime: ContainerRuntime | undefined;

/** The Docker Engine API client (Docker Engine in production, podman's API service here). */
export function containerEngine(): Docker {
  client ??= new Docker(dockerOptions(env().DOCKER_HOST));
  return client;
}

/** The container runtime the platform drives (the web for logs and health, the worker for everything). */
export function containerRuntime(): ContainerRuntime {
  runtime ??= new DockerRuntime(containerEngine());
  return runtime;
}
