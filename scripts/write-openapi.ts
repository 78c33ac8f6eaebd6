// npm run openapi: writes the generated OpenAPI document to openapi/openapi.json.
import { writeFile } from 'node:fs/promises';
import { generateOpenApiDocument } from '../src/openapi-document.js';

const target = new URL('../openapi/openapi.json', import.meta.url);
await writeFile(target, await generateOpenApiDocument());
console.log(`wrote ${target.pathname}`);
