import type { ServerResponse } from 'node:http';
import { INestApplication, ValidationError, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { PathsObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { BUNDLE_JSON_SCHEMA } from '@app/bundles';
import { APP_CONFIG, AppConfig, Clock, InvalidError } from '@app/core';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { rejectNulCharacters, rejectNulInUrl } from './common/nul-characters';
import { ADMIN_MAX_JSON_DEPTH, jsonBodyParser, PARTNER_MAX_JSON_DEPTH } from './common/json-body';
import { requireJsonBody } from './common/content-type.middleware';
import { requestIdMiddleware } from './common/request-id';
import { requestLogger } from './common/logging';
import { ExpressPrototypesAdapter } from './common/express-prototypes.adapter';
import { ErrorEnvelopeDto } from './common/error-envelope';
import { ProductErrorDto } from './partner-api/dto/offer.dto';
import { HttpMetrics } from './ops/metrics';
import { BrowserBuilds, CONSOLE_ASSETS_PREFIX, CONSOLE_CONTENT_SECURITY_POLICY } from './browser/browser-builds';

/** class-validator errors → 422 with one entry per property path. */
export function validationErrorsToPaths(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    const path = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children && e.children.length > 0) Object.assign(out, validationErrorsToPaths(e.children, path));
  }
  return out;
}

/** Everything main.ts does to the app, shared with the e2e tests so they test the same pipeline. */
export function configureApp(app: NestExpressApplication): AppConfig {
  const config = app.get<AppConfig>(APP_CONFIG);
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // no ETag: every answer of this API is computed per request (offers, bookings, POST results),
  // so an entity tag only costs a SHA-1 of each body and is never used for a cache hit
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy ? config.trustProxy.split(',').map((s) => s.trim()) : false);
  // flat parameters only (repeated ones become arrays): no nested objects from the query string
  app.set('query parser', 'simple');
  app.use(requestIdMiddleware);
  const requestLog = requestLogger(config);
  if (requestLog) app.use(requestLog);
  app.use(app.get(HttpMetrics).middleware);
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(rejectNulInUrl);
  serveConsoleAssets(app);
  app.use(requireJsonBody);
  // bundles are larger and deeper than any partner request: the admin surface has its own limits
  app.use('/admin', jsonBodyParser({ limitBytes: config.adminMaxBodyBytes, maxDepth: ADMIN_MAX_JSON_DEPTH }));
  app.use(jsonBodyParser({ limitBytes: config.maxBodyBytes, maxDepth: PARTNER_MAX_JSON_DEPTH }));
  app.use(rejectNulCharacters);
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new InvalidError('validation_error', 'Request validation failed', validationErrorsToPaths(errors)),
    }),
  );
  // SIGTERM/SIGINT: main.ts installs the graceful shutdown (ops/shutdown.ts) once listening
  setupSwagger(app);
  return config;
}

/**
 * The console's built files, `/console/assets/…`, from PUBLIC_DIR: each name carries a hash of its
 * content, so each is cached for good. A path that names no file there (or leaves the folder)
 * falls through to the routes, where ConsoleController answers it 404; other methods than GET
 * and HEAD fall through too (404).
 */
function serveConsoleAssets(app: NestExpressApplication): void {
  app.useStaticAssets(app.get(BrowserBuilds).consoleAssetsDir, {
    prefix: CONSOLE_ASSETS_PREFIX,
    index: false,
    redirect: false,
    dotfiles: 'ignore',
    fallthrough: true,
    maxAge: 365 * 86_400_000,
    immutable: true,
    setHeaders: (res: ServerResponse) => {
      res.setHeader('Content-Security-Policy', CONSOLE_CONTENT_SECURITY_POLICY);
    },
  });
}

export function setupSwagger(app: INestApplication): void {
  const prefixes = app.get<AppConfig>(APP_CONFIG).apiPrefixes;
  const doc = new DocumentBuilder()
    .setTitle('Offers platform')
    .setDescription(
      'Embedded-insurance Offers API, compatible with the XCover Offers API. Partner routes take `X-Api-Key`; admin routes take `X-Admin-Key`. Every error uses the ErrorEnvelope schema.' +
        partnerPrefixesNote(prefixes),
    )
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'partner-key')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Admin-Key' }, 'admin-key')
    .build();
  const document = SwaggerModule.createDocument(app, doc, { extraModels: [ErrorEnvelopeDto, ProductErrorDto] });
  listPartnerRoutesOnce(document, prefixes);
  document.components ??= {};
  document.components.schemas = { ...(document.components.schemas ?? {}), ...bundleComponentSchemas(BUNDLE_JSON_SCHEMA) };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/** The document's words on the prefixes: partner routes are listed under the first one only. */
function partnerPrefixesNote(prefixes: readonly string[]): string {
  const [shown, ...twins] = prefixes;
  if (shown === undefined) return '';
  const also = twins.length > 0 ? ` at ${twins.map((p) => `\`${p}/...\``).join(' and ')} and` : '';
  return ` Partner routes are listed once, under \`${shown}\`: every \`${shown}/...\` route is also served${also} with or without a trailing slash (\`${shown}/partners/{partner_code}/offers/\` is the same route).`;
}

/**
 * PartnerApiModule mounts each partner controller under every API prefix, so Nest documents each
 * partner route once per prefix. This keeps the first prefix's paths only (the others serve the
 * same routes, which the description says; the routes themselves are untouched) and drops the
 * `[0]` Nest appends to their operation ids.
 */
export function listPartnerRoutesOnce(document: OpenAPIObject, prefixes: readonly string[]): void {
  const [shown, ...twins] = prefixes;
  if (shown === undefined) return;
  const paths: PathsObject = {};
  for (const [path, item] of Object.entries(document.paths)) {
    const twin = twins.find((p) => path.startsWith(`${p}/`));
    if (twin !== undefined && `${shown}${path.slice(twin.length)}` in document.paths) continue;
    if (path.startsWith(`${shown}/`)) {
      for (const op of Object.values(item) as unknown[]) {
        const operation = op as { operationId?: unknown } | null;
        if (typeof operation?.operationId === 'string') operation.operationId = operation.operationId.replace(/\[0\]$/, '');
      }
    }
    paths[path] = item;
  }
  document.paths = paths;
}

const BUNDLE_DEFINITION_REF = /^#\/definitions\/(.+)$/;

/**
 * The bundle's JSON Schema (draft-07) as OpenAPI 3.0 components: `Bundle` is the root and each
 * `definitions/x` becomes `Bundle_x`, every `#/definitions/x` rewritten to `#/components/schemas/Bundle_x`.
 * Also turns what OpenAPI 3.0 reads differently: a numeric `exclusiveMinimum`/`exclusiveMaximum`
 * becomes `minimum`/`maximum` with the boolean flag, and a `$ref` with siblings (which 3.0 ignores)
 * is wrapped in `allOf` so its description and default stay visible. Works on a copy.
 */
export function bundleComponentSchemas(bundleSchema: Readonly<Record<string, unknown>>): Record<string, SchemaObject> {
  const { $schema: _schema, $id: _id, definitions, ...root } = structuredClone(bundleSchema) as Record<string, unknown>;
  const out: Record<string, SchemaObject> = { Bundle: toOpenApiSchema(root) as SchemaObject };
  for (const [name, definition] of Object.entries((definitions ?? {}) as Record<string, unknown>)) {
    out[`Bundle_${name}`] = toOpenApiSchema(definition) as SchemaObject;
  }
  return out;
}

function toOpenApiSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApiSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const m = BUNDLE_DEFINITION_REF.exec(value);
      out.$ref = m ? `#/components/schemas/Bundle_${m[1]}` : value;
    } else {
      out[key] = toOpenApiSchema(value);
    }
  }
  for (const [bound, flag] of [
    ['minimum', 'exclusiveMinimum'],
    ['maximum', 'exclusiveMaximum'],
  ] as const) {
    if (typeof out[flag] === 'number') {
      out[bound] = out[flag];
      out[flag] = true;
    }
  }
  if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    const { $ref, ...siblings } = out;
    return { allOf: [{ $ref }], ...siblings };
  }
  return out;
}

export async function createApp(overrides: Partial<AppConfig> = {}, clock?: Clock): Promise<{ app: NestExpressApplication; config: AppConfig }> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(overrides, clock), new ExpressPrototypesAdapter(), {
    bodyParser: false,
    bufferLogs: true,
  });
  const config = configureApp(app);
  return { app, config };
}
