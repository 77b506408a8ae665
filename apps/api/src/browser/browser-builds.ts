import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/core';

/**
 * What a page of the operations console may load: its own scripts, styles and data only. Inline
 * styles are allowed (the editor and the charts set style attributes); inline scripts are not.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** the console's built files: `/console/assets/…` (each name carries a hash of its content) */
export const CONSOLE_ASSETS_PREFIX = '/console/assets';

/** The offer panel's one file, as served: its bytes and the hash that versions it. */
export interface OfferPanelFile {
  body: Buffer;
  /** the first 20 hex digits of the SHA-256 of the file: its versioned URL is `/offer-panel.{hash}.js` */
  hash: string;
  /** the strong entity tag: the hash in quotes */
  etag: string;
}

const OFFER_PANEL_HASH_LENGTH = 20;

/**
 * The browser builds under PUBLIC_DIR (`npm run build` writes them): the offer panel, read into
 * memory once, and the console's entry page. Says at start when either is missing; a build made
 * after the start is picked up by the next request for it.
 */
@Injectable()
export class BrowserBuilds implements OnModuleInit {
  private readonly logger = new Logger('BrowserBuilds');
  private offerPanelFile: OfferPanelFile | null = null;
  readonly offerPanelPath: string;
  readonly consoleIndexPath: string;
  readonly consoleAssetsDir: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.offerPanelPath = join(config.publicDir, 'offer-panel.js');
    this.consoleIndexPath = join(config.publicDir, 'console', 'index.html');
    this.consoleAssetsDir = join(config.publicDir, 'console', 'assets');
  }

  onModuleInit(): void {
    const panel = this.offerPanel();
    if (panel) this.logger.log(`offer panel served at /offer-panel.js and /offer-panel.${panel.hash}.js`);
    else this.logger.warn(`no offer panel at ${this.offerPanelPath}: /offer-panel.js answers 404 until \`npm run build\` makes it`);
    if (!existsSync(this.consoleIndexPath)) {
      this.logger.warn(`no console at ${this.consoleIndexPath}: /console answers 404 until \`npm run build\` makes it`);
    }
  }

  /** The offer panel, read on the first call that finds it; null while there is no build. */
  offerPanel(): OfferPanelFile | null {
    if (this.offerPanelFile === null && existsSync(this.offerPanelPath)) {
      const body = readFileSync(this.offerPanelPath);
      const hash = createHash('sha256').update(body).digest('hex').slice(0, OFFER_PANEL_HASH_LENGTH);
      this.offerPanelFile = { body, hash, etag: `"${hash}"` };
    }
    return this.offerPanelFile;
  }
}
