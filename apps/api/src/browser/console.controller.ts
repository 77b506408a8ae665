import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { NotFoundError } from '@app/core';
import { BrowserBuilds, CONSOLE_ASSETS_PREFIX, CONSOLE_CONTENT_SECURITY_POLICY } from './browser-builds';

/**
 * The operations console, a single-page app: every `/console…` URL is one of its pages (routed in
 * the browser), so each answers its entry page, index.html. Its built files under
 * `/console/assets/` are served before this (configureApp, express.static): an asset path that
 * reaches this controller names no file and is a 404, never the entry page. No key (the page
 * asks for the admin key and sends it to the admin API), no rate limit; GET and HEAD.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  constructor(private readonly builds: BrowserBuilds) {}

  @Get()
  async home(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.entryPage(req, res);
  }

  @Get('*path')
  async page(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.entryPage(req, res);
  }

  private async entryPage(req: Request, res: Response): Promise<void> {
    if (req.path === CONSOLE_ASSETS_PREFIX || req.path.startsWith(`${CONSOLE_ASSETS_PREFIX}/`)) {
      throw new NotFoundError('not_found', `No route for ${req.method} ${req.path}`);
    }
    // the page names the current build's assets: a browser asks again each time
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', CONSOLE_CONTENT_SECURITY_POLICY);
    await new Promise<void>((resolve, reject) => {
      res.sendFile(this.builds.consoleIndexPath, (err?: Error) => (err ? reject(err) : resolve()));
    }).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        res.removeHeader('Cache-Control');
        res.removeHeader('Content-Security-Policy');
        throw new NotFoundError('not_found', 'The console is not built: `npm run build` makes it');
      }
      throw err;
    });
  }
}
