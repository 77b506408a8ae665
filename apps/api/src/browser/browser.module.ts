import { Module } from '@nestjs/common';
import { BrowserBuilds } from './browser-builds';
import { ConsoleController } from './console.controller';
import { OfferPanelController } from './offer-panel.controller';

/** The browser builds the API serves: the offer panel and the operations console (their files: configureApp). */
@Module({
  controllers: [OfferPanelController, ConsoleController],
  providers: [BrowserBuilds],
  exports: [BrowserBuilds],
})
export class BrowserModule {}
