import { html, nothing } from 'lit';
import { api, ApiError } from '../api';
import type { Partner } from '../api-types';
import { formatInstant } from '../format';
import { navigate } from '../navigation';
import { routePath } from '../router';
import { saveBundleDraft } from '../session';
import { starterBundle } from '../starter-bundle';
import { ConsolePage, errorAlert } from '../ui';
import { prettyJson } from '../version-diff';

const CODE_PATTERN = /^[A-Z0-9_-]{2,32}$/;

/** Every partner with its status; a new partner starts as a starter bundle in the editor. */
export class PartnersPage extends ConsolePage {
  private partners: Partner[] | null = null;
  private newCode = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    const answer = await this.attempt(() => api<{ items: Partner[] }>('GET', '/admin/partners'));
    if (answer) this.partners = [...answer.items].sort((a, b) => a.code.localeCompare(b.code));
    this.requestUpdate();
  }

  private create(event: SubmitEvent): void {
    event.preventDefault();
    const code = this.newCode.trim().toUpperCase();
    if (!CODE_PATTERN.test(code)) {
      this.error = new ApiError(0, 'invalid_partner_code', 'A partner code is 2 to 32 characters: A–Z, 0–9, _ or -', {
        code: ['must match ^[A-Z0-9_-]{2,32}$'],
      });
      this.requestUpdate();
      return;
    }
    // an existing partner opens as it is; a new one starts from the starter bundle, created by its first save
    if (!this.partners?.some((p) => p.code === code)) saveBundleDraft(code, prettyJson(starterBundle(code)));
    navigate(routePath({ name: 'bundle', code }));
  }

  protected override render() {
    return html`<h1 tabindex="-1">Partners</h1>
      ${errorAlert(this.error)}
      ${
        this.partners === null
          ? html`<p class="muted">Loading…</p>`
          : html`<table>
              <caption>
                Partners
              </caption>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Bundle version</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                ${this.partners.map(
                  (p) =>
                    html`<tr>
                      <td><a href=${routePath({ name: 'bundle', code: p.code })}>${p.code}</a></td>
                      <td>${p.name}</td>
                      <td><span class="badge badge-${p.status}">${p.status}</span></td>
                      <td>${p.current_version || '—'}</td>
                      <td>${formatInstant(p.updated_at)}</td>
                    </tr>`,
                )}
                ${
                  this.partners.length === 0
                    ? html`<tr>
                        <td colspan="5" class="muted">No partner yet.</td>
                      </tr>`
                    : nothing
                }
              </tbody>
            </table>`
      }
      <h2>New partner</h2>
      <form class="inline-form" @submit=${(e: SubmitEvent) => this.create(e)}>
        <label for="new-partner-code">Partner code</label>
        <input
          id="new-partner-code"
          name="code"
          type="text"
          autocomplete="off"
          spellcheck="false"
          placeholder="e.g. DEMO"
          .value=${this.newCode}
          @input=${(e: Event) => (this.newCode = (e.target as HTMLInputElement).value)}
        />
        <button type="submit">Create partner</button>
      </form>
      <p class="hint">The partner is created when its first bundle is saved.</p>`;
  }
}

customElements.define('partners-page', PartnersPage);
