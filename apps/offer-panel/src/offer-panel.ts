/**
 * <offer-panel>: shows a Create Offer response on a partner's checkout page and reports what the
 * customer picks. The partner's server creates the offer and hands the JSON to the page:
 *
 *   panel.offer = offerJson;
 *   panel.addEventListener('offer-selection', (e) => …); // detail { offer_id, quotes: [{ id }] }
 *   panel.addEventListener('offer-decline', (e) => …);   // detail { offer_id }
 *
 * Styling, from the page:
 *   CSS custom properties (set on offer-panel or any ancestor)
 *     --offer-panel-font        font family                      (default: inherited)
 *     --offer-panel-text        text colour                      (default: #1f2933)
 *     --offer-panel-muted       secondary text colour            (default: #52606d)
 *     --offer-panel-background  panel background                 (default: #fff)
 *     --offer-panel-border      border colour                    (default: #cbd2d9)
 *     --offer-panel-accent      controls, links, focus ring      (default: #0b5cad)
 *     --offer-panel-error       the "Choose at least …" message  (default: #b42318)
 *     --offer-panel-radius      corner radius                    (default: 8px)
 *     --offer-panel-spacing     base gap                         (default: 12px)
 *   ::part() names
 *     panel, title, description, disclaimer, terms, group, legend, message, hint, products,
 *     product, product-label, product-name, price, product-title, product-description, list,
 *     documents, link, none-option, empty, actions, decline
 *
 * Content is always rendered as text; a URL becomes a link only when it is http(s).
 */
import { LitElement, css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import type { GroupState, Offer, OfferDeclineDetail, OfferProduct, OfferSelectionDetail, ProductContent } from './offer.types';
import {
  canSelect,
  createRulesModel,
  groupShortfalls,
  initialSelectionState,
  isSelectionValid,
  isSingleChoice,
  productState,
  selectedQuotes,
  setProductSelected,
  type RuleGroup,
  type RulesModel,
  type SelectionState,
} from './rules';

export type { Offer, OfferDeclineDetail, OfferSelectionDetail } from './offer.types';

/** The URL when it is an absolute http(s) URL, else null (no link is made of it). */
function linkableUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** "extra_cover" → "Extra cover": a group's legend, from its slug. */
function groupLabel(slug: string): string {
  const words = slug.replace(/[-_]+/g, ' ').trim();
  return words === '' ? slug : words.charAt(0).toUpperCase() + words.slice(1);
}

function texts(values: unknown): string[] {
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

const EMPTY_OFFER_MODEL: RulesModel = createRulesModel([], undefined);

export class OfferPanel extends LitElement {
  static override properties: PropertyDeclarations = {
    // the accessor is below: setting an offer resets the selection at once
    offer: { attribute: false, noAccessor: true },
  };

  static override styles = css`
    :host {
      display: block;
      font-family: var(--offer-panel-font, inherit);
      color: var(--offer-panel-text, #1f2933);
      --_accent: var(--offer-panel-accent, #0b5cad);
      --_border: var(--offer-panel-border, #cbd2d9);
      --_muted: var(--offer-panel-muted, #52606d);
      --_radius: var(--offer-panel-radius, 8px);
      --_gap: var(--offer-panel-spacing, 12px);
    }
    :host([hidden]),
    [hidden] {
      display: none !important;
    }
    .panel {
      background: var(--offer-panel-background, #fff);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: calc(var(--_gap) * 1.5);
      display: grid;
      gap: var(--_gap);
    }
    h2 {
      font-size: 1.25em;
      margin: 0;
    }
    p {
      margin: 0;
    }
    .muted,
    .disclaimer {
      color: var(--_muted);
      font-size: 0.9em;
    }
    fieldset {
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      margin: 0;
      padding: var(--_gap);
      display: grid;
      gap: var(--_gap);
      min-width: 0;
    }
    fieldset:disabled {
      opacity: 0.6;
    }
    legend {
      font-weight: 600;
      padding: 0 4px;
    }
    .products {
      display: grid;
      gap: var(--_gap);
    }
    .product {
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: var(--_gap);
      display: grid;
      gap: calc(var(--_gap) / 2);
    }
    .product[data-selected] {
      border-color: var(--_accent);
      box-shadow: 0 0 0 1px var(--_accent);
    }
    label {
      display: flex;
      align-items: baseline;
      gap: 8px;
      cursor: pointer;
    }
    .name {
      font-weight: 600;
      flex: 1;
    }
    .price {
      font-weight: 600;
      white-space: nowrap;
    }
    input {
      accent-color: var(--_accent);
      margin: 0;
      width: 1.1em;
      height: 1.1em;
      flex: none;
      align-self: center;
    }
    input:disabled + .name,
    input:disabled ~ .price {
      cursor: not-allowed;
    }
    ul {
      margin: 4px 0 0;
      padding-left: 1.25em;
    }
    .list-title {
      font-weight: 600;
      font-size: 0.9em;
    }
    .documents {
      list-style: none;
      padding: 0;
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
    }
    a {
      color: var(--_accent);
    }
    .message {
      color: var(--offer-panel-error, #b42318);
      font-weight: 600;
    }
    .actions {
      display: flex;
      justify-content: flex-end;
    }
    button {
      font: inherit;
      color: var(--_accent);
      background: transparent;
      border: 1px solid var(--_accent);
      border-radius: var(--_radius);
      padding: 6px 16px;
      cursor: pointer;
    }
    button:hover {
      background: color-mix(in srgb, var(--_accent) 8%, transparent);
    }
    input:focus-visible,
    button:focus-visible,
    a:focus-visible {
      outline: 3px solid var(--_accent);
      outline-offset: 2px;
    }
  `;

  private currentOffer: Offer | null = null;
  private model: RulesModel = EMPTY_OFFER_MODEL;
  private selectionState: SelectionState = initialSelectionState(EMPTY_OFFER_MODEL);
  /** the products that can be selected: quoted, without an error, with an id */
  private products: OfferProduct[] = [];

  /** The Create Offer response to show; setting it (again) starts a fresh selection. */
  get offer(): Offer | null {
    return this.currentOffer;
  }

  set offer(value: Offer | null | undefined) {
    const previous = this.currentOffer;
    this.currentOffer = value && typeof value === 'object' ? value : null;
    const errors = this.currentOffer?.errors ?? {};
    const products = Array.isArray(this.currentOffer?.products) ? this.currentOffer.products : [];
    this.products = products.filter((p) => p && typeof p.id === 'string' && p.id !== '' && !Object.hasOwn(errors, p.code));
    this.model = createRulesModel(
      this.products.map((p) => p.id),
      Array.isArray(this.currentOffer?.product_rules) ? this.currentOffer.product_rules : undefined,
    );
    this.selectionState = initialSelectionState(this.model);
    this.requestUpdate('offer', previous);
  }

  /** The selected quotes, as Confirm Offer takes them. */
  get selection(): Array<{ id: string }> {
    return selectedQuotes(this.selectionState);
  }

  /** Whether the selection satisfies the minimum of every shown group. */
  get valid(): boolean {
    return isSelectionValid(this.model, this.selectionState);
  }

  private select(productId: string, selected: boolean): void {
    this.updateSelection(setProductSelected(this.model, this.selectionState, productId, selected));
  }

  private clearGroup(group: RuleGroup): void {
    let next = this.selectionState;
    for (const id of group.productIds) next = setProductSelected(this.model, next, id, false);
    this.updateSelection(next);
  }

  private updateSelection(next: SelectionState): void {
    const changed = next !== this.selectionState;
    this.selectionState = next;
    // re-render even when refused, so that the controls show the selection again
    this.requestUpdate();
    if (!changed || !this.currentOffer || !isSelectionValid(this.model, next)) return;
    const detail: OfferSelectionDetail = { offer_id: this.currentOffer.id, quotes: selectedQuotes(next) };
    this.dispatchEvent(new CustomEvent<OfferSelectionDetail>('offer-selection', { detail, bubbles: true, composed: true }));
  }

  private decline(): void {
    if (!this.currentOffer) return;
    const detail: OfferDeclineDetail = { offer_id: this.currentOffer.id };
    this.dispatchEvent(new CustomEvent<OfferDeclineDetail>('offer-decline', { detail, bubbles: true, composed: true }));
  }

  private contentOf(product: OfferProduct): ProductContent | undefined {
    const contents = this.currentOffer?.content?.products;
    return Array.isArray(contents) ? contents.find((c) => c && c.code === product.code) : undefined;
  }

  override render(): TemplateResult | typeof nothing {
    const offer = this.currentOffer;
    if (!offer) return nothing;
    const content = offer.content ?? {};
    const termsUrl = linkableUrl(content.terms_url);
    const grouped = new Set(this.model.groupOfProduct.keys());
    const ungrouped = this.products.filter((p) => !grouped.has(p.id));
    return html`
      <section class="panel" part="panel" aria-label=${text(content.title) || 'Insurance offer'}>
        ${content.title ? html`<h2 part="title">${content.title}</h2>` : nothing}
        ${content.description ? html`<p part="description">${content.description}</p>` : nothing} ${this.model.groups.map((group) => this.renderGroup(group))}
        ${this.products.length === 0 ? html`<p class="muted" part="empty">No cover is available for this purchase.</p>` : nothing}
        ${ungrouped.length > 0 ? html`<div class="products" part="products">${ungrouped.map((p) => this.renderProduct(p, null))}</div>` : nothing}
        ${content.disclaimer ? html`<p class="disclaimer" part="disclaimer">${content.disclaimer}</p>` : nothing}
        ${termsUrl ? html`<p><a part="terms link" href=${termsUrl} target="_blank" rel="noopener">Terms and conditions</a></p>` : nothing}
        <div class="actions" part="actions">
          <button type="button" part="decline" @click=${() => this.decline()}>No thanks</button>
        </div>
      </section>
    `;
  }

  private renderGroup(group: RuleGroup): TemplateResult {
    const state: GroupState = this.selectionState.groupStates[group.slug] ?? group.initialState;
    const products = this.products.filter((p) => this.model.groupOfProduct.get(p.id) === group);
    const shortfall = groupShortfalls(this.model, this.selectionState).find((s) => s.slug === group.slug);
    const singleChoice = group.maxSelect === 1;
    const noneChecked = !group.productIds.some((id) => this.selectionState.selected.includes(id));
    const messageId = `message-${group.slug}`;
    const hintId = `hint-${group.slug}`;
    const capped = !singleChoice && group.productIds.length > group.maxSelect;
    const describedBy = [shortfall ? messageId : '', capped ? hintId : ''].filter(Boolean).join(' ');
    return html`
      <fieldset
        part="group"
        data-group=${group.slug}
        data-state=${state}
        ?hidden=${state === 'hide'}
        ?disabled=${state === 'disable'}
        aria-describedby=${describedBy || nothing}
      >
        <legend part="legend">${groupLabel(group.slug)}</legend>
        <div class="products">
          ${products.map((p) => this.renderProduct(p, group))}
          ${
            singleChoice && group.minSelect === 0
              ? html`<label part="none-option">
                  <input type="radio" name=${`group-${group.slug}`} .checked=${live(noneChecked)} @change=${() => this.clearGroup(group)} />
                  <span class="name">None</span>
                </label>`
              : nothing
          }
        </div>
        ${capped ? html`<p class="muted" part="hint" id=${hintId}>Choose up to ${group.maxSelect}</p>` : nothing}
        ${shortfall ? html`<p class="message" part="message" id=${messageId}>Choose at least ${shortfall.minSelect}</p>` : nothing}
      </fieldset>
    `;
  }

  private renderProduct(product: OfferProduct, group: RuleGroup | null): TemplateResult {
    const selected = this.selectionState.selected.includes(product.id);
    const single = isSingleChoice(this.model, product.id);
    const enabled = productState(this.model, this.selectionState, product.id) === 'show' && canSelect(this.model, this.selectionState, product.id);
    const price = product.details?.finance?.price?.total_amount_formatted;
    const onChange = (event: Event): void => {
      const input = event.currentTarget as HTMLInputElement;
      this.select(product.id, input.checked);
    };
    return html`
      <div class="product" part="product" data-code=${product.code} ?data-selected=${selected}>
        <label part="product-label">
          <input
            type=${single ? 'radio' : 'checkbox'}
            name=${group && single ? `group-${group.slug}` : nothing}
            .checked=${live(selected)}
            ?disabled=${!enabled}
            @change=${onChange}
          />
          <span class="name" part="product-name">${text(product.name) || product.code}</span>
          ${price ? html`<span class="price" part="price">${price}</span>` : nothing}
        </label>
        ${this.renderProductContent(product)}
      </div>
    `;
  }

  private renderProductContent(product: OfferProduct): TemplateResult {
    const content = this.contentOf(product);
    const pricedBenefits = Array.isArray(product.details?.benefits) ? product.details.benefits : [];
    const benefits = [
      ...texts(content?.benefits),
      ...pricedBenefits
        .filter((b) => b && typeof b.description === 'string')
        .map((b) =>
          [b.description, b.limit_formatted ? `up to ${b.limit_formatted}` : '', b.excess_formatted ? `excess ${b.excess_formatted}` : '']
            .filter(Boolean)
            .join(', '),
        ),
    ];
    const pdsUrl = linkableUrl(product.details?.pds_url);
    const files = Array.isArray(product.details?.files) ? product.details.files.filter((f) => f && linkableUrl(f.url)) : [];
    return html`
      ${content?.title && content.title !== product.name ? html`<p part="product-title">${content.title}</p>` : nothing}
      ${content?.description ? html`<p class="muted" part="product-description">${content.description}</p>` : nothing}
      ${this.renderList('benefits', 'Benefits', benefits)} ${this.renderList('inclusions', 'What is covered', texts(content?.inclusions))}
      ${this.renderList('exclusions', 'What is not covered', texts(content?.exclusions))} ${this.renderList('extras', 'Extras', texts(content?.extras))}
      ${this.renderList('disclaimers', 'Please note', texts(content?.disclaimers))}
      ${
        pdsUrl || files.length > 0
          ? html`<ul class="documents" part="documents">
              ${pdsUrl ? html`<li><a part="link" href=${pdsUrl} target="_blank" rel="noopener">Product disclosure statement</a></li>` : nothing}
              ${files.map(
                (f) =>
                  html`<li>
                    <a part="link" href=${linkableUrl(f.url) ?? ''} target="_blank" rel="noopener">${text(f.name) || 'Document'}</a>${
                      f.type ? html` <span class="muted">(${f.type.toUpperCase()})</span>` : nothing
                    }
                  </li>`,
              )}
            </ul>`
          : nothing
      }
    `;
  }

  private renderList(kind: string, title: string, items: string[]): TemplateResult | typeof nothing {
    if (items.length === 0) return nothing;
    return html`<div part="list" data-list=${kind}>
      <p class="list-title">${title}</p>
      <ul>
        ${items.map((item) => html`<li>${item}</li>`)}
      </ul>
    </div>`;
  }
}

if (!customElements.get('offer-panel')) customElements.define('offer-panel', OfferPanel);

declare global {
  interface HTMLElementTagNameMap {
    'offer-panel': OfferPanel;
  }
  interface HTMLElementEventMap {
    'offer-selection': CustomEvent<OfferSelectionDetail>;
    'offer-decline': CustomEvent<OfferDeclineDetail>;
  }
}
