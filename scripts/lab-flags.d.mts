// Types of lab-flags.mjs, for the TypeScript that imports it.
export declare const LAB_V8_FLAGS: string[]
export declare const LAB_ENV: { MALLOC_ARENA_MAX: string }
