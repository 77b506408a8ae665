import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { NotFoundError } from '@app/core';
import { BrowserBuilds, type OfferPanelFile } from './browser-builds';

/** `/offer-panel.js`: revalidated after a day (its ETag makes that a 304) */
const REVALIDATED_DAILY = 'public, max-age=86400';
/** `/offer-panel.{hash}.js`: its content never changes */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The `<offer-panel>` element, for partners' checkout pages on any origin: CORS open and
 * `Cross-Origin-Resource-Policy: cross-origin` (helmet's default, same-origin, would block it).
 * No key, no rate limit; GET and HEAD (Express answers HEAD with the GET route).
 */
@ApiExcludeController()
@Controller()
export class OfferPanelController {
  constructor(private readonly builds: BrowserBuilds) {}

  @Get('offer-panel.js')
  current(@Req() req: Request, @Res() res: Response): void {
    this.send(req, res, this.built(), REVALIDATED_DAILY);
  }

  @Get('offer-panel.:hash.js')
  versioned(@Param('hash') hash: string, @Req() req: Request, @Res() res: Response): void {
    const file = this.built();
    // only the current build is kept: an older hash is not found
    if (hash !== file.hash) throw new NotFoundError('not_found', `No offer panel build ${hash}: the current one is /offer-panel.${file.hash}.js`);
    this.send(req, res, file, IMMUTABLE);
  }

  private built(): OfferPanelFile {
    const file = this.builds.offerPanel();
    if (!file) throw new NotFoundError('not_found', 'The offer panel is not built: `npm run build` makes it');
    return file;
  }

  private send(req: Request, res: Response, file: OfferPanelFile, cacheControl: string): void {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('ETag', file.etag);
    // If-None-Match naming this build (Express compares it with the ETag set above)
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.status(200).send(file.body);
  }
}
