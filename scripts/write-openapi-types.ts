// npm run openapi:types: writes the client's types (src/client/openapi-types.ts) from
// openapi/openapi.json. Run it after `npm run openapi`, and commit both files.
import { writeFile } from 'node:fs/promises';
import { generateOpenApiTypes, OPENAPI_TYPES } from './openapi-types.js';

await writeFile(OPENAPI_TYPES, await generateOpenApiTypes());
console.log(`wrote ${OPENAPI_TYPES.pathname}`);
