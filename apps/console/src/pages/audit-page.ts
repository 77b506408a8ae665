import { html, nothing } from 'lit';
import { api } from '../api';
import type { AuditEntry, AuditPage as AuditAnswer } from '../api-types';
import { formatInstant, isoDay } from '../format';
import { navigate, queryParam } from '../navigation';
import { routePath, withQuery } from '../router';
import { ConsolePage, errorAlert, jsonBlock } from '../ui';

const ACTIONS = [
  'partner.create',
  'partner.update',
  'api_key.create',
  'api_key.revoke',
  'admin_key.create',
  'admin_key.revoke',
  'bundle.write',
  'schema.put',
  'schema.delete',
  'offer_config.put',
  'offer_config.delete',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'webhook.disable',
  'webhook.rotate_secret',
  'webhook.redeliver',
  'webhook.test',
  'privacy.erasure',
];
const PAGE_SIZE = 50;

/** The admin change log, newest first, filtered by partner, action and period (in the URL). */
export class AuditPage extends ConsolePage {
  private partnerCode = queryParam('partner_code');
  private action = queryParam('action');
  private from = queryParam('from');
  private to = queryParam('to');
  private entries: AuditEntry[] | null = null;
  private nextBefore: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(undefined);
  }

  private async load(before: string | undefined): Promise<void> {
    const query = {
      partner_code: this.partnerCode.trim(),
      action: this.action.trim(),
      // whole UTC days: from the start of the first to the end of the last
      from: this.from ? `${this.from}T00:00:00Z` : undefined,
      to: this.to ? `${isoDay(new Date(`${this.to}T00:00:00Z`), 1)}T00:00:00Z` : undefined,
      limit: String(PAGE_SIZE),
      before,
    };
    const page = await this.attempt(() => api<AuditAnswer>('GET', withQuery('/admin/audit', query)));
    if (!page) return;
    this.entries = before === undefined ? page.items : [...(this.entries ?? []), ...page.items];
    this.nextBefore = page.next_before;
    this.requestUpdate();
  }

  private filter(event: SubmitEvent): void {
    event.preventDefault();
    navigate(withQuery(routePath({ name: 'audit' }), { partner_code: this.partnerCode.trim(), action: this.action.trim(), from: this.from, to: this.to }));
  }

  protected override render() {
    const entries = this.entries;
    const input = (field: 'partnerCode' | 'action' | 'from' | 'to') => (e: Event) => {
      this[field] = (e.target as HTMLInputElement).value;
    };
    return html`<h1 tabindex="-1">Audit</h1>
      <form class="inline-form filters" @submit=${(e: SubmitEvent) => this.filter(e)}>
        <label for="audit-partner">Partner code</label>
        <input id="audit-partner" type="text" size="12" .value=${this.partnerCode} @input=${input('partnerCode')} />
        <label for="audit-action">Action</label>
        <input id="audit-action" type="text" list="audit-actions" size="20" .value=${this.action} @input=${input('action')} />
        <datalist id="audit-actions">${ACTIONS.map((a) => html`<option value=${a}></option>`)}</datalist>
        <label for="audit-from">From</label>
        <input id="audit-from" type="date" .value=${this.from} @input=${input('from')} />
        <label for="audit-to">To</label>
        <input id="audit-to" type="date" .value=${this.to} @input=${input('to')} />
        <button type="submit">Filter</button>
      </form>
      ${errorAlert(this.error)}
      ${
        entries === null
          ? this.error
            ? nothing
            : html`<p class="muted">Loading…</p>`
          : html`<table class="audit">
                <caption>
                  Audit entries, newest first
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Partner</th>
                    <th scope="col">Target</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  ${entries.map(
                    (e) =>
                      html`<tr>
                        <td><time datetime=${e.created_at}>${formatInstant(e.created_at)}</time></td>
                        <td>${e.actor}</td>
                        <td><code>${e.action}</code></td>
                        <td>${e.partner_code ?? '—'}</td>
                        <td>${e.target_type}${e.target_id ? html` <code>${e.target_id}</code>` : nothing}</td>
                        <td>
                          ${
                            e.before === null && e.after === null
                              ? '—'
                              : html`<details>
                                  <summary>Before and after</summary>
                                  <div class="before-after">
                                    <div><span class="muted">Before</span>${jsonBlock(e.before)}</div>
                                    <div><span class="muted">After</span>${jsonBlock(e.after)}</div>
                                  </div>
                                  ${e.request_id ? html`<p class="muted">Request ${e.request_id}</p>` : nothing}
                                </details>`
                          }
                        </td>
                      </tr>`,
                  )}
                  ${
                    entries.length === 0
                      ? html`<tr>
                          <td colspan="6" class="muted">No entry.</td>
                        </tr>`
                      : nothing
                  }
                </tbody>
              </table>
              ${this.nextBefore ? html`<button type="button" class="secondary" @click=${() => void this.load(this.nextBefore ?? undefined)}>Older entries</button>` : nothing}`
      }`;
  }
}

customElements.define('audit-page', AuditPage);
