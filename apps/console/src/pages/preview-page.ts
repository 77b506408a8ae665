import type { EditorView } from '@codemirror/view';
import { html, nothing, type TemplateResult } from 'lit';
import '../../../offer-panel/src/offer-panel';
import { api, ApiError, findPartner, partnerPath } from '../api';
import type { ConfigTrace, OfferSchema, PreviewResult, ProductTrace } from '../api-types';
import { changeSchema, createJsonEditor, replaceText, type EditorSchema } from '../editor';
import { isoDay } from '../format';
import { sampleRequest } from '../sample-request';
import { bundleDraft } from '../session';
import { ConsolePage, errorAlert, jsonBlock } from '../ui';
import { prettyJson } from '../version-diff';

interface DraftBundle {
  partner?: { default_schema?: string };
  schemas?: OfferSchema[];
}

function parseDraft(text: string | null): DraftBundle | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

function whenText(config: ConfigTrace): TemplateResult | string {
  const when = config.when;
  if (when === null) return 'not evaluated';
  if ('error' in when) return html`<code>${when.expression}</code> → <span class="bad">error: ${when.error}</span>`;
  if (when.expression === null) return 'no condition (true)';
  return html`<code>${when.expression}</code> → <span class=${when.result ? 'good' : 'bad'}>${String(when.result)}</span>`;
}

function accessText(config: ConfigTrace): TemplateResult | string {
  const access = config.access;
  if (access === null) return 'not evaluated';
  return access.admitted ? html`<span class="good">admitted</span>` : html`<span class="bad">denied by ${access.denied_by}</span>`;
}

function productOutcome(product: ProductTrace): TemplateResult {
  if (!product.ok) return html`<span class="bad">${product.error?.code ?? 'error'}</span>: ${product.error?.message ?? ''}`;
  return html`<span class="good">${product.price ?? '—'}</span>`;
}

/** A Create Offer request tried against the bundle in force or the editor's unsaved one, with its trace. */
export class PreviewPage extends ConsolePage {
  code = '';
  private schemas: OfferSchema[] = [];
  private schemaId = '';
  private defaultSchema: string | null = null;
  private useDraft = false;
  private keyMode: 'live' | 'test' = 'live';
  private result: PreviewResult | null = null;
  private sending = false;
  private note = '';
  private selection = '';
  private editor: EditorView | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    this.editor?.destroy();
    this.editor = null;
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    const draft = parseDraft(bundleDraft(this.code));
    await this.attempt(async () => {
      const partner = await findPartner(this.code);
      if (partner && partner.current_version > 0) {
        this.schemas = await api<OfferSchema[]>('GET', partnerPath(this.code, '/schemas'));
        this.defaultSchema = partner.default_schema;
      } else if (draft) {
        // a partner not saved yet: its schemas come from the unsaved bundle
        this.useDraft = true;
        this.note = 'This partner has no bundle in force yet: the preview uses the unsaved bundle.';
      } else {
        throw new ApiError(404, 'partner_not_found', `No partner ${this.code} with a bundle: write one on the Bundle page first`);
      }
    });
    if (this.schemas.length === 0 && draft && Array.isArray(draft.schemas)) {
      this.schemas = draft.schemas.filter((s) => typeof s?.id === 'string');
      this.defaultSchema = draft.partner?.default_schema ?? null;
    }
    this.schemaId = this.defaultSchema && this.schemas.some((s) => s.id === this.defaultSchema) ? this.defaultSchema : (this.schemas[0]?.id ?? '');
    this.requestUpdate();
    await this.updateComplete;
    const host = this.querySelector<HTMLElement>('.editor-host');
    if (!host) return;
    const schema = this.currentSchema();
    this.editor = createJsonEditor({
      parent: host,
      doc: this.sampleText(),
      label: 'Create Offer request',
      schema: schema ? (schema.json_schema as EditorSchema) : undefined,
      onSave: () => void this.preview(),
    });
  }

  private currentSchema(): OfferSchema | undefined {
    return this.schemas.find((s) => s.id === this.schemaId);
  }

  /** A sample request for the chosen schema (naming it when it is not the default one). */
  private sampleText(): string {
    const schema = this.currentSchema();
    if (!schema) return prettyJson({ customer: { language: 'en', currency: 'USD', country: 'US' }, context: {} });
    const body = sampleRequest(schema.json_schema, isoDay(new Date()));
    return prettyJson(schema.id === this.defaultSchema ? body : { schema: schema.id, ...body });
  }

  private chooseSchema(id: string): void {
    this.schemaId = id;
    const schema = this.currentSchema();
    if (this.editor) {
      if (schema) changeSchema(this.editor, schema.json_schema as EditorSchema);
      replaceText(this.editor, this.sampleText());
    }
    this.requestUpdate();
  }

  private async preview(event?: SubmitEvent): Promise<void> {
    event?.preventDefault();
    if (!this.editor || this.sending) return;
    let request: unknown;
    try {
      request = JSON.parse(this.editor.state.doc.toString());
    } catch (error) {
      this.error = new ApiError(0, 'invalid_json', `The request is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      this.requestUpdate();
      return;
    }
    const body: Record<string, unknown> = { request, key_mode: this.keyMode };
    this.note = '';
    if (this.useDraft) {
      const draftText = bundleDraft(this.code);
      if (draftText === null) {
        this.note = 'No unsaved bundle in this tab: the bundle in force is used.';
      } else {
        try {
          body.bundle = JSON.parse(draftText) as unknown;
        } catch {
          this.error = new ApiError(0, 'invalid_json', 'The unsaved bundle is not valid JSON: fix it on the Bundle page.');
          this.requestUpdate();
          return;
        }
      }
    }
    this.sending = true;
    this.selection = '';
    const result = await this.attempt(() => api<PreviewResult>('POST', partnerPath(this.code, '/offers/preview?include_content=true'), body));
    this.sending = false;
    this.result = result ?? null;
    this.requestUpdate();
  }

  private onSelection(event: Event): void {
    const detail = (event as CustomEvent<{ quotes: Array<{ id: string }> }>).detail;
    this.selection = detail.quotes.length === 0 ? 'nothing selected' : detail.quotes.map((q) => q.id).join(', ');
    this.requestUpdate();
  }

  private renderTrace(result: PreviewResult): TemplateResult {
    const trace = result.trace;
    return html`<section class="trace" aria-labelledby="trace-heading">
      <h2 id="trace-heading">Trace</h2>
      <p>
        Schema <code>${trace.schema || '—'}</code> · bundle
        ${result.bundle_version === 'candidate' ? 'unsaved (candidate)' : `version ${result.bundle_version}`} · content language
        ${trace.content_language ?? '—'}
      </p>
      <table>
        <caption>
          Configs considered
        </caption>
        <thead>
          <tr>
            <th scope="col">Config</th>
            <th scope="col">Priority</th>
            <th scope="col">Schema</th>
            <th scope="col">Status</th>
            <th scope="col">When</th>
            <th scope="col">Access</th>
            <th scope="col">Selected</th>
          </tr>
        </thead>
        <tbody>
          ${trace.configs.map(
            (c) =>
              html`<tr class=${c.selected ? 'selected' : ''}>
                <td><code>${c.config_id}</code></td>
                <td>${c.priority}</td>
                <td>${c.schema_match ? 'matches' : 'other schema'}</td>
                <td>${c.status}${c.status_ok ? '' : ' (not for this key)'}${c.excluded ? ' · excluded' : ''}</td>
                <td>${whenText(c)}</td>
                <td>${accessText(c)}</td>
                <td>${c.selected ? html`<strong>yes</strong>` : 'no'}</td>
              </tr>`,
          )}
          ${
            trace.configs.length === 0
              ? html`<tr>
                  <td colspan="7" class="muted">No config considered.</td>
                </tr>`
              : nothing
          }
        </tbody>
      </table>
      ${
        trace.experiments.length > 0
          ? html`<h3>Experiments</h3>
              <ul>
                ${trace.experiments.map((e) => html`<li><code>${e.key}</code>: variant <strong>${e.variant}</strong> (unit ${e.unit})</li>`)}
              </ul>`
          : nothing
      }
      <table>
        <caption>
          Products
        </caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Price or error</th>
            <th scope="col">Inputs</th>
            <th scope="col">Amounts</th>
          </tr>
        </thead>
        <tbody>
          ${trace.products.map(
            (p) =>
              html`<tr>
                <td><code>${p.code}</code>${p.experiment ? html`<br /><span class="muted">${p.experiment.key}: ${p.experiment.variant}</span>` : nothing}</td>
                <td>${productOutcome(p)}</td>
                <td>${p.inputs === undefined ? '—' : jsonBlock(p.inputs)}</td>
                <td>${p.amounts ? jsonBlock(p.amounts) : '—'}</td>
              </tr>`,
          )}
          ${
            trace.products.length === 0
              ? html`<tr>
                  <td colspan="4" class="muted">No product priced.</td>
                </tr>`
              : nothing
          }
        </tbody>
      </table>
    </section>`;
  }

  private renderResult(): TemplateResult | typeof nothing {
    const result = this.result;
    if (!result) return nothing;
    const outcomeErrors = Object.entries(result.error?.errors ?? {}).flatMap(([path, messages]) => messages.map((m) => ({ path, message: m })));
    return html`<section class="result" aria-label="Result">
      <p class="status-line">
        Create Offer would answer <output aria-label="Status code" class=${result.status < 300 ? 'code-ok' : 'code-error'}>${result.status}</output>
      </p>
      ${
        result.error
          ? html`<div class="outcome-error">
              <p><strong>${result.error.message ?? ''}</strong> <code class="error-code">${result.error.code ?? ''}</code></p>
              ${
                outcomeErrors.length > 0
                  ? html`<ul aria-label="Request problems">
                      ${outcomeErrors.map((p) => html`<li><code class="path">${p.path}</code> ${p.message}</li>`)}
                    </ul>`
                  : nothing
              }
            </div>`
          : nothing
      }
      ${
        result.offer
          ? html`<div class="panel-frame">
                <offer-panel .offer=${result.offer} @offer-selection=${(e: Event) => this.onSelection(e)}></offer-panel>
              </div>
              <p class="muted" aria-live="polite">${this.selection ? `Selected quotes: ${this.selection}` : ''}</p>`
          : nothing
      }
      ${this.renderTrace(result)}
    </section>`;
  }

  protected override render() {
    return html`<h1 tabindex="-1">Preview</h1>
      ${errorAlert(this.error)} ${this.note ? html`<p class="note">${this.note}</p>` : nothing}
      <form class="preview-form" @submit=${(e: SubmitEvent) => void this.preview(e)}>
        <div class="inline-form">
          <label for="preview-schema">Schema</label>
          <select id="preview-schema" @change=${(e: Event) => this.chooseSchema((e.target as HTMLSelectElement).value)}>
            ${this.schemas.map(
              (s) => html`<option value=${s.id} ?selected=${s.id === this.schemaId}>${s.id}${s.id === this.defaultSchema ? ' (default)' : ''}</option>`,
            )}
          </select>
          <button type="button" class="secondary" @click=${() => this.chooseSchema(this.schemaId)}>New sample</button>
          <label for="preview-key-mode">Key mode</label>
          <select id="preview-key-mode" @change=${(e: Event) => (this.keyMode = (e.target as HTMLSelectElement).value === 'test' ? 'test' : 'live')}>
            <option value="live" ?selected=${this.keyMode === 'live'}>live</option>
            <option value="test" ?selected=${this.keyMode === 'test'}>test (sees drafts)</option>
          </select>
          <span class="checkbox">
            <input
              id="preview-use-draft"
              type="checkbox"
              .checked=${this.useDraft}
              @change=${(e: Event) => {
                this.useDraft = (e.target as HTMLInputElement).checked;
                this.requestUpdate();
              }}
            />
            <label for="preview-use-draft">Use the unsaved bundle</label>
          </span>
        </div>
        <div class="editor-host request-editor"></div>
        <div class="toolbar">
          <button type="submit" ?disabled=${this.sending}>Preview</button>
          <span class="muted">${this.sending ? 'Asking…' : ''}</span>
        </div>
      </form>
      ${this.renderResult()}`;
  }
}

customElements.define('preview-page', PreviewPage);
