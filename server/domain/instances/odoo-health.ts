import { env } from "../../env";

/** Where the platform reaches an instance's Odoo, and where customers open it. */
export function instanceUrls(
  instance: { subdomain: string | null },
  container: { hostPort: number | null; ipAddress: string | null },
): { publicUrl: string | null; probeUrl: string | null } {
  const config = env();
  if (config.ROUTING === "traefik") {
    return {
      publicUrl: instance.subdomain ? `https://${instance.subdomain}.${config.BASE_DOMAIN}` : null,
      probeUrl: container.ipAddress ? `http://${container.ipAddress}:8069` : null,
    };
  }
  if (!container.hostPort) return { publicUrl: null, probeUrl: null };
  const url = `http://${config.INSTANCE_PUBLIC_HOST}:${container.hostPort}`;
  return { publicUrl: url, probeUrl: url };
}

/** Odoo's own health endpoint (odoo.md C.6): 200 {"status":"pass"} once it serves requests. */
export async function probeOdooHealth(baseUrl: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/web/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return false;
    const body = (await response.json()) as { status?: unknown };
    return body.status === "pass";
  } catch {
    return false;
  }
}
