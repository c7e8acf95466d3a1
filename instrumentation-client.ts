import { z } from "zod";

/**
 * Runs in the browser before any page code. Zod compiles object schemas with `new Function`
 * when it can, and probes for that by calling it: under our CSP (no 'unsafe-eval', proxy.ts)
 * the probe is a CSP violation. Jitless parsing is the same parsing without the probe.
 */
z.config({ jitless: true });
