import { Injectable, PipeTransform } from '@nestjs/common';
import { validateBody } from './body-validation';
import { ConfirmOfferDto } from './dto/confirm.dto';

export { validationErrorsToPointers } from './body-validation';

/**
 * The confirm body's own validation, so that its errors carry the code
 * `booking_validation_error` (not `validation_error`). The route's parameter is typed with an interface, so the
 * global ValidationPipe (code `validation_error`) leaves it alone.
 */
@Injectable()
export class ConfirmBodyPipe implements PipeTransform<unknown, ConfirmOfferDto> {
  transform(value: unknown): ConfirmOfferDto {
    return validateBody(ConfirmOfferDto, value).dto;
  }
}
