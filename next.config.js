/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only packages (native addons, optional ssh transport) stay out of the server bundle.
  serverExternalPackages: ["dockerode", "docker-modem", "ssh2", "cpu-features", "pino", "pg", "@node-rs/argon2", "bullmq", "ioredis"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
