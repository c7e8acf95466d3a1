/** What the worker needs from a container engine; docker-runtime.ts implements it with dockerode. */
export interface ContainerRuntime {
  /** The engine's product version, e.g. "28.2.2" (Docker) or "4.3.1" (podman). */
  version(): Promise<{ version: string; apiVersion: string }>;
  /** Whether an image reference (repo:tag) exists locally. */
  hasImage(reference: string): Promise<boolean>;
}
