import type Docker from "dockerode";
import type { ContainerRuntime } from "./container-runtime";

function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown })?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export class DockerRuntime implements ContainerRuntime {
  constructor(private readonly docker: Docker) {}

  async version() {
    const info = await this.docker.version();
    return { version: info.Version, apiVersion: info.ApiVersion };
  }

  async hasImage(reference: string): Promise<boolean> {
    try {
      await this.docker.getImage(reference).inspect();
      return true;
    } catch (error) {
      // Only "no such image" means absent; anything else is a real failure.
      if (statusCode(error) === 404) return false;
      throw error;
    }
  }
}
