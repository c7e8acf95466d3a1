/** Small display helpers shared by the instance pages. */

export function formatCpu(cpu: number): string {
  return `${Number.isInteger(cpu) ? cpu : cpu.toFixed(1)} vCPU`;
}

export function formatMemory(mb: number): string {
  if (mb < 1024) return `${mb} MB`;
  const gb = mb / 1024;
  return `${Number.isInteger(gb) ? gb : gb.toFixed(1)} GB`;
}

export function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const secs = seconds % 60;
  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${secs}s`;
  return `${secs}s`;
}

/** "user:<id>" / "admin:<id>" / "system:<component>" -> who did it, in words. */
export function describeActor(actor: string): string {
  const [kind, rest] = actor.split(":", 2);
  if (kind === "user") return "customer";
  if (kind === "admin") return "administrator";
  if (kind === "system") return rest ? `platform (${rest})` : "platform";
  return actor;
}

/** Same look as components/ui/form Button, for links that navigate. */
export function linkButtonClass(variant: "primary" | "secondary" = "primary"): string {
  const styles = {
    primary: "bg-brand-500 text-white hover:bg-brand-600",
    secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50",
  }[variant];
  return `inline-flex items-center justify-center rounded-lg px-4 py-2 text-sm font-semibold shadow-sm transition ${styles}`;
}
