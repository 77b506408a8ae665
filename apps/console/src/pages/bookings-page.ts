import { html, nothing } from 'lit';
import { api, partnerPath } from '../api';
import type { Booking } from '../api-types';
import { formatInstant } from '../format';
import { navigate, queryParam } from '../navigation';
import { routePath, withQuery } from '../router';
import { ConsolePage, errorAlert } from '../ui';

const SEARCH_LIMIT = 50;

/** A partner's bookings: the latest, or those matching a booking id, a transaction id or an e-mail (`?q=`). */
export class BookingsPage extends ConsolePage {
  code = '';
  private readonly query = queryParam('q');
  private typed = this.query;
  private bookings: Booking[] | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    const path = withQuery(partnerPath(this.code, '/bookings'), { q: this.query.trim(), limit: String(SEARCH_LIMIT) });
    const answer = await this.attempt(() => api<{ bookings: Booking[] }>('GET', path));
    if (answer) this.bookings = answer.bookings;
    this.requestUpdate();
  }

  private search(event: SubmitEvent): void {
    event.preventDefault();
    navigate(withQuery(routePath({ name: 'bookings', code: this.code }), { q: this.typed.trim() }));
  }

  protected override render() {
    const bookings = this.bookings;
    return html`<h1 tabindex="-1">Bookings</h1>
      <form class="inline-form" role="search" @submit=${(e: SubmitEvent) => this.search(e)}>
        <label for="bookings-q">Search bookings</label>
        <input
          id="bookings-q"
          name="q"
          type="search"
          size="40"
          placeholder="booking id, partner transaction id or e-mail"
          .value=${this.typed}
          @input=${(e: Event) => (this.typed = (e.target as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
      </form>
      ${errorAlert(this.error)}
      ${
        bookings === null
          ? this.error
            ? nothing
            : html`<p class="muted">Loading…</p>`
          : html`<table>
              <caption>
                ${this.query ? `Bookings matching “${this.query}”` : 'Latest bookings'}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Booking</th>
                  <th scope="col">Status</th>
                  <th scope="col">Policyholder</th>
                  <th scope="col">Transaction id</th>
                  <th scope="col">Total</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                ${bookings.map(
                  (b) =>
                    html`<tr>
                      <td><a href=${routePath({ name: 'booking', code: this.code, bookingId: b.id })}>${b.id}</a></td>
                      <td><span class="badge badge-${b.status.toLowerCase()}">${b.status}</span></td>
                      <td>
                        ${[b.policyholder.first_name, b.policyholder.last_name].filter(Boolean).join(' ')}
                        ${b.policyholder.email ? html`<br /><span class="muted">${b.policyholder.email}</span>` : nothing}
                      </td>
                      <td>${b.partner_transaction_id ?? '—'}</td>
                      <td class="num">${b.total_price_formatted}</td>
                      <td>${formatInstant(b.created_at)}</td>
                    </tr>`,
                )}
                ${
                  bookings.length === 0
                    ? html`<tr>
                        <td colspan="6" class="muted">No booking found.</td>
                      </tr>`
                    : nothing
                }
              </tbody>
            </table>`
      }`;
  }
}

customElements.define('bookings-page', BookingsPage);
