// Types of build.mjs, for the tests that import it (build.mjs stays plain JavaScript: it runs without a
// TypeScript build, from the bin script and `pnpm run prebuilds`).
export const packageRoot: string
export const sourceBuildPath: string
export function prebuildPath(platform?: string, arch?: string): string
export function nativeSources(): string[]
export function nativeSourceHash(): string
export const crossCompilers: Record<string, string>
export function buildAddon(output: string, env?: NodeJS.ProcessEnv, arch?: string): string | null
