import { html, nothing, type TemplateResult } from 'lit';
import { api, partnerPath } from '../api';
import type { Booking, BookingEvent, CancellationPreview } from '../api-types';
import { customerLocale, formatInstant, formatMinor, sumMajor } from '../format';
import { routePath } from '../router';
import { ConsolePage, errorAlert, jsonBlock } from '../ui';

function actorText(event: BookingEvent): string {
  if (event.actor.admin_key_id) return `admin key ${event.actor.admin_key_id}`;
  if (event.actor.api_key_id) return `API key ${event.actor.api_key_id}`;
  return 'unknown';
}

/** One booking: its quotes, its history, and cancellation (a priced preview, then the confirmation). */
export class BookingPage extends ConsolePage {
  code = '';
  bookingId = '';
  private booking: Booking | null = null;
  private events: BookingEvent[] = [];
  private cancellation: CancellationPreview | null = null;
  private reason = '';
  private busy = false;
  private message = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private bookingPath(rest = ''): string {
    return partnerPath(this.code, `/bookings/${encodeURIComponent(this.bookingId)}${rest}`);
  }

  private async load(): Promise<void> {
    const loaded = await this.attempt(() => Promise.all([api<Booking>('GET', this.bookingPath()), api<BookingEvent[]>('GET', this.bookingPath('/events'))]));
    if (!loaded) return;
    [this.booking, this.events] = loaded;
    this.requestUpdate();
  }

  private async previewCancellation(): Promise<void> {
    this.busy = true;
    this.message = '';
    const body: Record<string, unknown> = { preview: true };
    if (this.reason.trim()) body.cancellation_reason = this.reason.trim();
    const preview = await this.attempt(() => api<CancellationPreview>('POST', this.bookingPath('/cancel'), body));
    this.busy = false;
    this.cancellation = preview ?? null;
    this.requestUpdate();
    if (preview) {
      await this.updateComplete;
      this.querySelector<HTMLElement>('#cancellation-heading')?.focus();
    }
  }

  private async confirmCancellation(): Promise<void> {
    const cancellation = this.cancellation;
    if (!cancellation) return;
    this.busy = true;
    const done = await this.attempt(() =>
      api<Booking>('POST', this.bookingPath(`/confirm_cancellation/${encodeURIComponent(cancellation.cancellation_id)}`), {}),
    );
    this.busy = false;
    if (!done) return;
    this.cancellation = null;
    this.booking = done;
    this.message = `Booking cancelled: ${done.total_refund_formatted} refunded in all.`;
    const events = await this.attempt(() => api<BookingEvent[]>('GET', this.bookingPath('/events')));
    if (events) this.events = events;
    this.requestUpdate();
  }

  private renderCancellation(preview: CancellationPreview): TemplateResult {
    // the quotes this cancellation refunds (those cancelled before carry their cancellation date)
    const refunded = preview.quotes.filter((q) => q.refund_value !== undefined && !q.policy_cancellation_date);
    const total = sumMajor(
      refunded.map((q) => q.refund_value ?? 0),
      preview.currency,
    );
    return html`<section class="card cancellation" aria-labelledby="cancellation-heading">
      <h2 id="cancellation-heading" tabindex="-1">Cancellation preview</h2>
      <table>
        <caption>
          Refund per quote
        </caption>
        <thead>
          <tr>
            <th scope="col">Quote</th>
            <th scope="col">Price</th>
            <th scope="col">Refund</th>
            <th scope="col">Fee</th>
            <th scope="col">Cooling-off until</th>
          </tr>
        </thead>
        <tbody>
          ${refunded.map(
            (q) =>
              html`<tr>
                <td>${q.name} <span class="muted">${q.policy_number}</span></td>
                <td class="num">${q.price_formatted}</td>
                <td class="num">${q.refund_value_formatted ?? '—'}</td>
                <td class="num">${q.adjustment_fee_formatted ?? '—'}</td>
                <td>${formatInstant(q.policy_coolingoff_date)}</td>
              </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total refund</th>
            <td></td>
            <td class="num" data-field="total-refund">
              ${formatMinor(total.amount_minor, total.currency, customerLocale(undefined, preview.policyholder.country))}
            </td>
            <td colspan="2"></td>
          </tr>
        </tfoot>
      </table>
      <p class="hint">Valid until ${formatInstant(preview.confirm_before)}.</p>
      <div class="toolbar">
        <button type="button" class="danger" ?disabled=${this.busy} @click=${() => void this.confirmCancellation()}>Confirm cancellation</button>
        <button
          type="button"
          class="secondary"
          @click=${() => {
            this.cancellation = null;
            this.requestUpdate();
          }}
        >
          Keep the booking
        </button>
      </div>
    </section>`;
  }

  private renderBooking(b: Booking): TemplateResult {
    const holder = b.policyholder;
    return html`<dl class="facts">
        <dt>Status</dt>
        <dd><span data-field="status" class="badge badge-${b.status.toLowerCase()}">${b.status}</span></dd>
        <dt>Offer config</dt>
        <dd><code>${b.offer_config_id}</code></dd>
        <dt>Offer</dt>
        <dd><code>${b.offer_id}</code></dd>
        <dt>Transaction id</dt>
        <dd>${b.partner_transaction_id ?? '—'}</dd>
        <dt>Policyholder</dt>
        <dd>
          ${[holder.first_name, holder.last_name].filter(Boolean).join(' ')} ${holder.email ? html`&lt;${holder.email}&gt;` : nothing} ${holder.country ?? ''}
        </dd>
        <dt>Total</dt>
        <dd>${b.total_price_formatted} (tax ${b.total_tax_formatted})</dd>
        <dt>Refunded</dt>
        <dd>${b.total_refund_formatted}</dd>
        <dt>Created</dt>
        <dd>${formatInstant(b.created_at)}</dd>
        <dt>Updated</dt>
        <dd>${formatInstant(b.updated_at)}</dd>
      </dl>
      <table>
        <caption>
          Quotes
        </caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Policy number</th>
            <th scope="col">Status</th>
            <th scope="col">Price</th>
            <th scope="col">Tax</th>
            <th scope="col">Cover</th>
            <th scope="col">Refund</th>
          </tr>
        </thead>
        <tbody>
          ${b.quotes.map(
            (q) =>
              html`<tr>
                <td>${q.name} <span class="muted">${q.code}</span></td>
                <td><code>${q.policy_number}</code></td>
                <td><span class="badge badge-${q.status.toLowerCase()}">${q.status}</span></td>
                <td class="num">${q.price_formatted}</td>
                <td class="num">${q.tax_formatted}</td>
                <td>${formatInstant(q.policy_start_date)} → ${formatInstant(q.policy_end_date)}</td>
                <td class="num">${q.refund_value_formatted ?? '—'}</td>
              </tr>`,
          )}
        </tbody>
      </table>`;
  }

  protected override render() {
    const b = this.booking;
    return html`<p class="breadcrumb"><a href=${routePath({ name: 'bookings', code: this.code })}>Bookings</a></p>
      <h1 tabindex="-1">Booking ${this.bookingId}</h1>
      <p role="status" class="status">${this.message}</p>
      ${errorAlert(this.error)}
      ${
        b
          ? html`${this.renderBooking(b)}
              ${
                b.status !== 'CANCELLED' && !this.cancellation
                  ? html`<div class="toolbar cancel-box">
                      <label for="cancel-reason">Cancellation reason (optional)</label>
                      <input
                        id="cancel-reason"
                        type="text"
                        size="40"
                        maxlength="500"
                        .value=${this.reason}
                        @input=${(e: Event) => (this.reason = (e.target as HTMLInputElement).value)}
                      />
                      <button type="button" class="danger" ?disabled=${this.busy} @click=${() => void this.previewCancellation()}>Cancel booking</button>
                    </div>`
                  : nothing
              }
              ${this.cancellation ? this.renderCancellation(this.cancellation) : nothing}
              <h2>Events</h2>
              <ol class="events" aria-label="Events">
                ${this.events.map(
                  (e) =>
                    html`<li>
                      <strong>${e.type}</strong> · version ${e.version} · <time datetime=${e.at}>${formatInstant(e.at)}</time> · ${actorText(e)}
                      ${e.idempotency_key ? html`· idempotency key <code>${e.idempotency_key}</code>` : nothing}
                      <details>
                        <summary>Changes</summary>
                        <div class="before-after">
                          <div><span class="muted">Before</span>${jsonBlock(e.before)}</div>
                          <div><span class="muted">After</span>${jsonBlock(e.after)}</div>
                        </div>
                      </details>
                    </li>`,
                )}
              </ol>`
          : this.error
            ? nothing
            : html`<p class="muted">Loading…</p>`
      }`;
  }
}

customElements.define('booking-page', BookingPage);
