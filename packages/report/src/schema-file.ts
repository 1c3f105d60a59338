/**
 * Location of the published JSON Schema for report v1. `schema/` sits one level above both `src/`
 * and `dist/`, so the same relative URL works from sources (tests) and from the build.
 */
export const REPORT_SCHEMA_V1_URL: URL = new URL('../schema/report-v1.schema.json', import.meta.url);
/** The `$id` inside that schema file. */
export const REPORT_SCHEMA_V1_ID = 'urn:xmscan:schema:report:v1';
