import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BookingLifecycleService } from '@app/offers';
import { PartnersService } from '@app/partners';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { AdminRoute } from './admin-route.decorator';
import { BookingEventDto } from './dto/booking-events.dto';

@ApiTags('admin: bookings')
@AdminRoute()
@Controller('admin/partners/:code/bookings')
export class BookingEventsController {
  constructor(
    private readonly partners: PartnersService,
    private readonly lifecycle: BookingLifecycleService,
  ) {}

  @Get(':booking_id/events')
  @ApiOperation({
    summary: "A booking's history, oldest first: its creation and every change (who, when, what before and after)",
  })
  @ApiOkResponse({ type: [BookingEventDto] })
  @ApiNotFoundResponse({ description: "`partner_not_found`; `booking_not_found`: unknown, or another partner's booking", type: ErrorEnvelopeDto })
  async events(@Param('code') code: string, @Param('booking_id') bookingId: string): Promise<BookingEventDto[]> {
    const partner = await this.partners.get(code);
    return await this.lifecycle.events(partner.id, bookingId);
  }
}
