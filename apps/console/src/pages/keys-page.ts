import { html, nothing, type TemplateResult } from 'lit';
import { api, partnerPath } from '../api';
import type { ApiKey, CreatedApiKey, CreatedWebhookEndpoint, Page, WebhookDelivery, WebhookEndpoint } from '../api-types';
import { formatInstant } from '../format';
import { ConsolePage, errorAlert } from '../ui';

const WEBHOOK_EVENTS = ['booking.created', 'booking.updated', 'booking.cancelled', 'offer.opted_out'] as const;
const DELIVERIES_SHOWN = 20;

/** A partner's API keys (create: shown once; revoke) and webhook endpoints with their deliveries (redeliver). */
export class KeysPage extends ConsolePage {
  code = '';
  private keys: ApiKey[] | null = null;
  private created: CreatedApiKey | null = null;
  private mode: 'live' | 'test' = 'live';
  private keyName = '';
  private signing = false;
  private confirmingRevoke: string | null = null;
  private endpoints: WebhookEndpoint[] = [];
  private deliveries = new Map<string, Page<WebhookDelivery>>();
  private newWebhookUrl = '';
  private newWebhookEvents = new Set<string>(WEBHOOK_EVENTS.slice(0, 3));
  private createdWebhook: CreatedWebhookEndpoint | null = null;
  private message = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    const loaded = await this.attempt(() =>
      Promise.all([api<{ items: ApiKey[] }>('GET', partnerPath(this.code, '/api-keys')), api<WebhookEndpoint[]>('GET', partnerPath(this.code, '/webhooks'))]),
    );
    if (!loaded) return;
    this.keys = loaded[0].items;
    this.endpoints = loaded[1];
    this.requestUpdate();
    await this.loadDeliveries();
  }

  private async loadDeliveries(): Promise<void> {
    const pages = await this.attempt(() =>
      Promise.all(
        this.endpoints.map((e) =>
          api<Page<WebhookDelivery>>('GET', partnerPath(this.code, `/webhooks/${encodeURIComponent(e.id)}/deliveries?limit=${DELIVERIES_SHOWN}`)),
        ),
      ),
    );
    if (!pages) return;
    this.deliveries = new Map(this.endpoints.map((e, i) => [e.id, pages[i]]));
    this.requestUpdate();
  }

  private async reloadKeys(): Promise<void> {
    const answer = await this.attempt(() => api<{ items: ApiKey[] }>('GET', partnerPath(this.code, '/api-keys')));
    if (answer) this.keys = answer.items;
    this.requestUpdate();
  }

  private async createKey(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.created = null;
    this.message = '';
    const body: Record<string, unknown> = { mode: this.mode, signing: this.signing };
    if (this.keyName.trim()) body.name = this.keyName.trim();
    const created = await this.attempt(() => api<CreatedApiKey>('POST', partnerPath(this.code, '/api-keys'), body));
    if (!created) return;
    this.created = created;
    this.keyName = '';
    await this.reloadKeys();
    await this.updateComplete;
    this.querySelector<HTMLElement>('#new-key-heading')?.focus();
  }

  private async revoke(key: ApiKey): Promise<void> {
    await this.attempt(() => api<void>('DELETE', partnerPath(this.code, `/api-keys/${encodeURIComponent(key.id)}`)));
    this.confirmingRevoke = null;
    this.requestUpdate();
    if (this.error) return;
    this.message = `Key ${key.prefix}… revoked.`;
    await this.reloadKeys();
  }

  private async createWebhook(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.createdWebhook = null;
    this.message = '';
    const created = await this.attempt(() =>
      api<CreatedWebhookEndpoint>('POST', partnerPath(this.code, '/webhooks'), { url: this.newWebhookUrl.trim(), events: [...this.newWebhookEvents] }),
    );
    if (!created) return;
    this.createdWebhook = created;
    this.newWebhookUrl = '';
    this.requestUpdate();
    this.endpoints = [...this.endpoints, created];
    await this.loadDeliveries();
  }

  private async sendTest(endpoint: WebhookEndpoint): Promise<void> {
    const sent = await this.attempt(() => api<{ delivery_id: string }>('POST', partnerPath(this.code, `/webhooks/${encodeURIComponent(endpoint.id)}/test`)));
    if (!sent) return;
    this.message = `Test event queued for ${endpoint.url}.`;
    await this.loadDeliveries();
  }

  private async redeliver(endpoint: WebhookEndpoint, delivery: WebhookDelivery): Promise<void> {
    const path = `/webhooks/${encodeURIComponent(endpoint.id)}/deliveries/${encodeURIComponent(delivery.id)}/redeliver`;
    const done = await this.attempt(() => api<{ id: string; status: string }>('POST', partnerPath(this.code, path)));
    if (!done) return;
    this.message = `Delivery ${delivery.id} (${delivery.type}) queued again.`;
    await this.loadDeliveries();
  }

  private renderKeys(keys: ApiKey[]): TemplateResult {
    return html`<table>
      <caption>
        Keys of ${this.code}, revoked ones included
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Prefix</th>
          <th scope="col">Mode</th>
          <th scope="col">Signing</th>
          <th scope="col">Created</th>
          <th scope="col">Status</th>
          <th scope="col"><span class="sr-only">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${keys.map(
          (k) =>
            html`<tr>
              <td>${k.name || '—'}</td>
              <td><code>${k.prefix}</code></td>
              <td>${k.mode}</td>
              <td>${k.signing ? 'yes' : 'no'}</td>
              <td>${formatInstant(k.created_at)}</td>
              <td>
                ${k.revoked_at ? html`<span class="badge badge-revoked">revoked ${formatInstant(k.revoked_at)}</span>` : html`<span class="badge badge-active">active</span>`}
              </td>
              <td>
                ${
                  k.revoked_at
                    ? nothing
                    : this.confirmingRevoke === k.id
                      ? html`<span class="confirm" role="group" aria-label="Confirm revoking ${k.prefix}">
                          <span>Requests with this key will be refused.</span>
                          <button type="button" class="danger" @click=${() => void this.revoke(k)}>Confirm revoke</button>
                          <button
                            type="button"
                            class="secondary"
                            @click=${() => {
                              this.confirmingRevoke = null;
                              this.requestUpdate();
                            }}
                          >
                            Cancel
                          </button>
                        </span>`
                      : html`<button
                          type="button"
                          class="secondary"
                          @click=${() => {
                            this.confirmingRevoke = k.id;
                            this.requestUpdate();
                          }}
                        >
                          Revoke
                        </button>`
                }
              </td>
            </tr>`,
        )}
        ${
          keys.length === 0
            ? html`<tr>
                <td colspan="7" class="muted">No key yet.</td>
              </tr>`
            : nothing
        }
      </tbody>
    </table>`;
  }

  private renderDeliveries(endpoint: WebhookEndpoint): TemplateResult {
    const page = this.deliveries.get(endpoint.id);
    if (!page) return html`<p class="muted">Loading deliveries…</p>`;
    return html`<table>
      <caption>
        Deliveries to ${endpoint.url} (${page.count} in all, newest first)
      </caption>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Last answer</th>
          <th scope="col">Created</th>
          <th scope="col">Delivered / next attempt</th>
          <th scope="col"><span class="sr-only">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${page.results.map(
          (d) =>
            html`<tr>
              <td><code>${d.type}</code><br /><span class="muted">${d.event_id}</span></td>
              <td><span class="badge badge-${d.status}">${d.status}</span></td>
              <td class="num">${d.attempts}</td>
              <td>${d.last_status_code ?? '—'} ${d.last_error ? html`<br /><span class="muted">${d.last_error}</span>` : nothing}</td>
              <td>${formatInstant(d.created_at)}</td>
              <td>${d.delivered_at ? formatInstant(d.delivered_at) : formatInstant(d.next_attempt_at)}</td>
              <td><button type="button" class="secondary" @click=${() => void this.redeliver(endpoint, d)}>Redeliver</button></td>
            </tr>`,
        )}
        ${
          page.results.length === 0
            ? html`<tr>
                <td colspan="7" class="muted">No delivery yet.</td>
              </tr>`
            : nothing
        }
      </tbody>
    </table>`;
  }

  private renderWebhooks(): TemplateResult {
    return html`<h2>Webhook endpoints</h2>
      ${this.endpoints.length === 0 ? html`<p class="muted">No webhook endpoint.</p>` : nothing}
      ${this.endpoints.map(
        (e) =>
          html`<section class="card endpoint" aria-label="Webhook ${e.url}">
            <h3>${e.url}</h3>
            <p>
              <span class="badge badge-${e.status}">${e.status}</span> · format ${e.format} · events ${e.events.join(', ')}
              ${e.disabled_reason ? html`· <span class="bad">${e.disabled_reason}</span>` : nothing} ${e.description ? html`· ${e.description}` : nothing}
            </p>
            <div class="toolbar">
              <button type="button" class="secondary" ?disabled=${e.status !== 'enabled'} @click=${() => void this.sendTest(e)}>Send test event</button>
            </div>
            ${this.renderDeliveries(e)}
          </section>`,
      )}
      <form class="card" @submit=${(e: SubmitEvent) => void this.createWebhook(e)}>
        <h3>New webhook endpoint</h3>
        <div class="inline-form">
          <label for="webhook-url">Endpoint URL</label>
          <input
            id="webhook-url"
            type="url"
            size="50"
            required
            placeholder="https://hooks.example.com/offers"
            .value=${this.newWebhookUrl}
            @input=${(e: Event) => (this.newWebhookUrl = (e.target as HTMLInputElement).value)}
          />
        </div>
        <fieldset>
          <legend>Events</legend>
          ${WEBHOOK_EVENTS.map(
            (name) =>
              html`<span class="checkbox">
                <input
                  id="webhook-event-${name}"
                  type="checkbox"
                  .checked=${this.newWebhookEvents.has(name)}
                  @change=${(e: Event) => {
                    if ((e.target as HTMLInputElement).checked) this.newWebhookEvents.add(name);
                    else this.newWebhookEvents.delete(name);
                  }}
                />
                <label for="webhook-event-${name}">${name}</label>
              </span>`,
          )}
        </fieldset>
        <button type="submit">Add endpoint</button>
        ${
          this.createdWebhook
            ? html`<p>
                Signing secret (shown once):
                <output aria-label="Webhook signing secret" class="secret">${this.createdWebhook.secret}</output>
              </p>`
            : nothing
        }
      </form>`;
  }

  protected override render() {
    return html`<h1 tabindex="-1">Keys and webhooks</h1>
      <p role="status" class="status">${this.message}</p>
      ${errorAlert(this.error)}
      <h2>API keys</h2>
      <form class="inline-form" @submit=${(e: SubmitEvent) => void this.createKey(e)}>
        <label for="key-mode">Mode</label>
        <select id="key-mode" @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value === 'test' ? 'test' : 'live')}>
          <option value="live" ?selected=${this.mode === 'live'}>live</option>
          <option value="test" ?selected=${this.mode === 'test'}>test</option>
        </select>
        <label for="key-name">Key name</label>
        <input id="key-name" type="text" maxlength="200" .value=${this.keyName} @input=${(e: Event) => (this.keyName = (e.target as HTMLInputElement).value)} />
        <span class="checkbox">
          <input id="key-signing" type="checkbox" .checked=${this.signing} @change=${(e: Event) => (this.signing = (e.target as HTMLInputElement).checked)} />
          <label for="key-signing">Signing key</label>
        </span>
        <button type="submit">Create key</button>
      </form>
      ${
        this.created
          ? html`<section class="card new-key" aria-labelledby="new-key-heading">
              <h3 id="new-key-heading" tabindex="-1">New ${this.created.mode} key ${this.created.name ? `“${this.created.name}”` : ''}</h3>
              <p>Copy it now: it is not shown again.</p>
              <p><output aria-label="New key" class="secret">${this.created.key}</output></p>
              ${
                this.created.secret
                  ? html`<p>Signing secret: <output aria-label="New key signing secret" class="secret">${this.created.secret}</output></p>`
                  : nothing
              }
            </section>`
          : nothing
      }
      ${this.keys === null ? (this.error ? nothing : html`<p class="muted">Loading…</p>`) : this.renderKeys(this.keys)} ${this.renderWebhooks()}`;
  }
}

customElements.define('keys-page', KeysPage);
