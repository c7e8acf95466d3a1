// Stands in for `server-only` outside React Server Components (vitest, the worker).
export {};
