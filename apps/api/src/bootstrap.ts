import { INestApplication, ValidationError, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, InvalidError } from '@app/core';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { requireJsonBody } from './common/content-type.middleware';
import { requestIdMiddleware } from './common/request-id';
import { ErrorEnvelopeDto } from './common/error-envelope';
import { HttpMetrics } from './ops/metrics';

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
  app.set('trust proxy', config.trustProxy ? config.trustProxy.split(',').map((s) => s.trim()) : false);
  app.set('query parser', 'extended');
  app.use(requestIdMiddleware);
  app.use(app.get(HttpMetrics).middleware);
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(requireJsonBody);
  app.use(express.json({ limit: config.maxBodyBytes, type: ['application/json', 'application/*+json'] }));
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new InvalidError('validation_error', 'Request validation failed', validationErrorsToPaths(errors)),
    }),
  );
  app.enableShutdownHooks();
  setupSwagger(app);
  return config;
}

export function setupSwagger(app: INestApplication): void {
  const doc = new DocumentBuilder()
    .setTitle('Offers platform')
    .setDescription(
      'Embedded-insurance Offers API, compatible with the XCover Offers API. Partner routes take `X-Api-Key`; admin routes take `X-Admin-Key`. Every error uses the ErrorEnvelope schema.',
    )
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'partner-key')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Admin-Key' }, 'admin-key')
    .build();
  const document = SwaggerModule.createDocument(app, doc, { extraModels: [ErrorEnvelopeDto] });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

export async function createApp(
  overrides: Partial<AppConfig> = {},
): Promise<{ app: NestExpressApplication; config: AppConfig }> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(overrides), {
    bodyParser: false,
    bufferLogs: true,
  });
  const config = configureApp(app);
  return { app, config };
}
