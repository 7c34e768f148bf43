declare const __MTLS_DOCTOR_VERSION__: string | undefined;

/** The package version, inlined by the build; `0.0.0-dev` when running from sources (tests). */
export const VERSION: string = typeof __MTLS_DOCTOR_VERSION__ === 'string' ? __MTLS_DOCTOR_VERSION__ : '0.0.0-dev';
export const TOOL = { name: 'mtls-doctor', version: VERSION } as const;
