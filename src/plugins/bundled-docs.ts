// /openapi.json and Swagger UI at /docs, without @fastify/swagger-ui (and, on Lambda, without
// @fastify/swagger). Lambda serves the committed openapi/openapi.json, which test/openapi.test.ts
// keeps equal to what the routes generate, so generating it again at every cold start would only
// repeat that work; the server serves the document @fastify/swagger generates from its routes.
// @fastify/swagger-ui with what it loads when registered (@fastify/static, send, yaml, glob) was a
// sixth of the Lambda bundle, and ~50–100 ms of the server's start to /readyz (issue 17 §2).
// The URLs are the ones @fastify/swagger-ui serves, so links and clients work on both runtimes.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Swagger UI's settings, shared with plugins/openapi.ts so that both runtimes show the same UI. */
export const SWAGGER_UI_CONFIG = { deepLinking: true, tryItOutEnabled: true } as const;

export interface DocsFiles {
  /** The OpenAPI document (openapi/openapi.json). */
  openApiDocument: string;
  /** A directory holding Swagger UI's static files (@fastify/swagger-ui's `static/`). */
  swaggerUiDir: string;
}

export interface BundledDocsOptions {
  /** Without `document`, the document is read from `files.openApiDocument`. */
  files: Pick<DocsFiles, 'swaggerUiDir'> & Partial<DocsFiles>;
  /** The document, when it is not a file: the server's, generated from its routes (read after ready()). */
  document?: () => unknown;
  /** Paths this runtime does not serve, left out of the document (Lambda: /metrics). */
  omitPaths?: readonly string[];
}

/** The files in the source tree: src/lambda.ts run through tsx, and the tests. */
export function sourceTreeDocsFiles(): DocsFiles {
  const require = createRequire(import.meta.url);
  return {
    openApiDocument: fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url)),
    swaggerUiDir: join(dirname(require.resolve('@fastify/swagger-ui/package.json')), 'static'),
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const HIDDEN = { schema: { hide: true } } as const;

/** An hour: a new deployment's files reach a browser within it. */
const STATIC_CACHE_CONTROL = 'public, max-age=3600';

export function bundledDocs(options: BundledDocsOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    // Only files of a known type from that one directory: the name is a route parameter, and
    // nothing else on the disk may be reachable through it. Listed on the first request for one,
    // not at start (a Lambda cold start rarely serves Swagger UI).
    let staticFiles: Promise<Set<string>> | undefined;
    const listStaticFiles = () =>
      (staticFiles ??= readdir(options.files.swaggerUiDir).then(
        (names) => new Set(names.filter((name) => CONTENT_TYPES[extname(name)] !== undefined)),
        (error: unknown) => {
          staticFiles = undefined;
          throw error;
        },
      ));
    let document: Promise<OpenApiDocument> | undefined;
    const openApi = () =>
      (document ??= options.document
        ? Promise.resolve(withoutPaths(structuredClone(options.document()) as OpenApiDocument, options.omitPaths ?? []))
        : readDocument(options.files.openApiDocument!, options.omitPaths ?? []));

    // Behind an API Gateway stage (/prod/…), "/" (OpenAPI's default server) would send Swagger UI's
    // "Try it out" to the host's root, outside the stage. A server URL relative to where each copy
    // of the document is served names the app's own root wherever it is mounted.
    const sendDocument = (serverUrl: string) => {
      let json: string | undefined;
      return async (_request: FastifyRequest, reply: FastifyReply) =>
        reply.type('application/json; charset=utf-8').send((json ??= JSON.stringify({ ...(await openApi()), servers: [{ url: serverUrl }] })));
    };
    app.get('/openapi.json', HIDDEN, sendDocument('./'));
    app.get('/docs/json', HIDDEN, sendDocument('../'));

    // As @fastify/swagger-ui: relative URLs, so that the page also works under an API Gateway
    // stage path (/prod/docs); `/docs` and `/docs/` resolve them from different bases.
    const indexPage = async (request: FastifyRequest, reply: FastifyReply) =>
      reply.type('text/html; charset=utf-8').send(indexHtml(request.url.split('?', 1)[0]!.endsWith('/') ? './static' : './docs/static'));
    app.get('/docs', HIDDEN, indexPage);
    app.get('/docs/', HIDDEN, indexPage);
    app.get('/docs/static/swagger-initializer.js', HIDDEN, async (_request, reply) =>
      reply.type(CONTENT_TYPES['.js']!).send(SWAGGER_INITIALIZER),
    );
    app.get<{ Params: { file: string } }>('/docs/static/:file', HIDDEN, async (request, reply) => {
      const { file } = request.params;
      if (!(await listStaticFiles()).has(file)) return reply.callNotFound();
      // Swagger UI's files change only with a deployment; without this a browser would fetch the
      // 1.4 MB bundle through API Gateway and Lambda on every visit.
      return reply
        .header('cache-control', STATIC_CACHE_CONTROL)
        .type(CONTENT_TYPES[extname(file)]!)
        .send(await readFile(join(options.files.swaggerUiDir, file)));
    });
  };
}

type OpenApiDocument = { paths?: Record<string, unknown> } & Record<string, unknown>;

async function readDocument(path: string, omitPaths: readonly string[]): Promise<OpenApiDocument> {
  return withoutPaths(JSON.parse(await readFile(path, 'utf8')) as OpenApiDocument, omitPaths);
}

function withoutPaths(document: OpenApiDocument, omitPaths: readonly string[]): OpenApiDocument {
  for (const omitted of omitPaths) delete document.paths?.[omitted];
  return document;
}

function indexHtml(staticPrefix: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>Gatewire — Swagger UI</title>
<link rel="stylesheet" type="text/css" href="${staticPrefix}/swagger-ui.css" />
<link rel="stylesheet" type="text/css" href="${staticPrefix}/index.css" />
<link rel="icon" type="image/png" href="${staticPrefix}/favicon-32x32.png" sizes="32x32" />
<link rel="icon" type="image/png" href="${staticPrefix}/favicon-16x16.png" sizes="16x16" />
</head>
<body>
<div id="swagger-ui"></div>
<script src="${staticPrefix}/swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="${staticPrefix}/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script src="${staticPrefix}/swagger-initializer.js" charset="UTF-8"></script>
</body>
</html>
`;
}

// Resolved against the page's own URL (with a trailing slash), like @fastify/swagger-ui's.
const SWAGGER_INITIALIZER = `window.onload = function () {
  function resolveUrl(url) {
    var href = window.location.href.split('#', 1)[0];
    var anchor = document.createElement('a');
    anchor.href = (href.endsWith('/') ? href : href + '/') + url;
    return anchor.href;
  }
  var ui = SwaggerUIBundle(Object.assign({
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    validatorUrl: null
  }, ${JSON.stringify(SWAGGER_UI_CONFIG)}, {
    url: resolveUrl('./json'),
    oauth2RedirectUrl: resolveUrl('./static/oauth2-redirect.html')
  }));
  window.ui = ui;
};
`;
