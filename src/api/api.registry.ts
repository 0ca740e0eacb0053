import { extendZodWithOpenApi, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Gives every zod schema `.openapi(…)`, for the document's names, descriptions and examples. This
// module is the API's only way to zod, so the extension is in place before any schema is made.
extendZodWithOpenApi(z);

export { z };

/**
 * The schemas, parameters and operations of /api/v1. The modules that define them register here;
 * openapi.ts turns the registry into the OpenAPI document.
 */
export const registry = new OpenAPIRegistry();

/** A reference to a component of the document, for the parts zod-to-openapi takes as plain objects. */
export const componentRef = (group: 'schemas' | 'headers' | 'responses', name: string) => ({
  $ref: `#/components/${group}/${name}`,
});
