/**
 * The console's shell: sign-in, the main navigation and the page of the current URL. Links are
 * plain <a href>; clicks on console links are handled here through the history API.
 */
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { ApiError, requestWithKey, SIGNED_OUT_EVENT } from './api';
import { NAVIGATE_EVENT, navigate, takeHeadingFocus, wantHeadingFocus } from './navigation';
import { BASE_PATH, matchRoute, routePartner, routePath, type Route } from './router';
import { currentAdminKey, signIn, signOut } from './session';
import './pages/partners-page';
import './pages/bookings-page';
import './pages/booking-page';
import './pages/keys-page';
import './pages/audit-page';

/** Pages with CodeMirror or uPlot: loaded on first use. */
const LAZY_PAGES: Record<string, () => Promise<unknown>> = {
  'bundle-page': () => import('./pages/bundle-page'),
  'preview-page': () => import('./pages/preview-page'),
  'analytics-page': () => import('./pages/analytics-page'),
};

const PAGE_TITLES: Record<Route['name'], string> = {
  home: 'Sign in',
  partners: 'Partners',
  audit: 'Audit',
  bundle: 'Bundle',
  preview: 'Preview',
  analytics: 'Analytics',
  bookings: 'Bookings',
  booking: 'Booking',
  keys: 'Keys and webhooks',
  'not-found': 'Not found',
};

/** A page element made anew for every URL (path and query), so each page loads its own data once. */
function keyedPage(key: string, page: TemplateResult): TemplateResult {
  return html`${keyed(key, page)}`;
}

export class ConsoleApp extends LitElement {
  private route: Route = matchRoute(location.pathname);
  private signedIn = currentAdminKey() !== null;
  private signInMessage = '';
  private signInError = '';
  private signingIn = false;
  private typedKey = '';
  private lazyFailure = '';

  private readonly onLocationChange = (): void => {
    this.route = matchRoute(location.pathname);
    wantHeadingFocus();
    this.applyRedirects();
    this.requestUpdate();
  };

  private readonly onSignedOut = (): void => {
    if (!this.signedIn) return;
    this.signedIn = false;
    this.signInMessage = 'Admin key refused: sign in again.';
    this.requestUpdate();
  };

  private readonly onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || (url.pathname !== BASE_PATH && !url.pathname.startsWith(`${BASE_PATH}/`))) return;
    event.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search + url.hash);
  };

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.onLocationChange);
    window.addEventListener(NAVIGATE_EVENT, this.onLocationChange);
    window.addEventListener(SIGNED_OUT_EVENT, this.onSignedOut);
    document.addEventListener('click', this.onClick);
    this.applyRedirects();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('popstate', this.onLocationChange);
    window.removeEventListener(NAVIGATE_EVENT, this.onLocationChange);
    window.removeEventListener(SIGNED_OUT_EVENT, this.onSignedOut);
    document.removeEventListener('click', this.onClick);
    super.disconnectedCallback();
  }

  /** Signed in, /console goes on to the partners list. */
  private applyRedirects(): void {
    if (this.signedIn && this.route.name === 'home') {
      history.replaceState(null, '', routePath({ name: 'partners' }));
      this.route = { name: 'partners' };
    }
  }

  protected override updated(): void {
    const partner = routePartner(this.route);
    const title = this.signedIn ? PAGE_TITLES[this.route.name] : 'Sign in';
    document.title = `${title}${partner && this.signedIn ? ` · ${partner}` : ''} · Offers console`;
    // pages focus their own heading when they render; the shell's own pages (sign-in, not found) here
    if (!this.signedIn || this.route.name === 'not-found') takeHeadingFocus(this);
  }

  private async submitSignIn(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const key = this.typedKey.trim();
    this.signInError = '';
    this.signInMessage = '';
    if (!key) {
      this.signInError = 'Type the admin key.';
      this.requestUpdate();
      return;
    }
    this.signingIn = true;
    this.requestUpdate();
    try {
      await requestWithKey<unknown>(key, 'GET', '/admin/partners');
      signIn(key);
      this.typedKey = '';
      this.signedIn = true;
      wantHeadingFocus();
      this.applyRedirects();
    } catch (error) {
      const refused = error instanceof ApiError && (error.status === 401 || error.status === 403);
      this.signInError = refused ? 'Admin key refused' : error instanceof ApiError ? `${error.message} (${error.code})` : 'Sign-in failed';
    } finally {
      this.signingIn = false;
      this.requestUpdate();
    }
  }

  private signOutNow(): void {
    signOut();
    this.signedIn = false;
    this.signInMessage = 'Signed out.';
    navigate(routePath({ name: 'home' }));
  }

  private renderSignIn(): TemplateResult {
    return html`<main id="main" class="sign-in">
      <h1 tabindex="-1">Offers console</h1>
      ${this.signInMessage ? html`<p role="alert" class="alert">${this.signInMessage}</p>` : nothing}
      <form @submit=${(e: SubmitEvent) => void this.submitSignIn(e)} class="card">
        <label for="admin-key">Admin key</label>
        <input
          id="admin-key"
          name="admin-key"
          type="password"
          autocomplete="current-password"
          autofocus
          required
          .value=${this.typedKey}
          @input=${(e: Event) => (this.typedKey = (e.target as HTMLInputElement).value)}
        />
        <button type="submit" ?disabled=${this.signingIn}>Sign in</button>
        ${this.signInError ? html`<p role="alert" class="alert">${this.signInError}</p>` : nothing}
      </form>
    </main>`;
  }

  private renderNav(): TemplateResult {
    const partner = routePartner(this.route);
    const link = (route: Route, label: string, current: boolean) =>
      html`<li><a href=${routePath(route)} aria-current=${current ? 'page' : 'false'}>${label}</a></li>`;
    const name = this.route.name;
    return html`<nav aria-label="Main">
      <ul>
        ${link({ name: 'partners' }, 'Partners', name === 'partners')}
        ${
          partner
            ? html`<li class="nav-partner">
                <span class="nav-partner-code">${partner}</span>
                <ul>
                  ${link({ name: 'bundle', code: partner }, 'Bundle', name === 'bundle')}
                  ${link({ name: 'preview', code: partner }, 'Preview', name === 'preview')}
                  ${link({ name: 'analytics', code: partner }, 'Analytics', name === 'analytics')}
                  ${link({ name: 'bookings', code: partner }, 'Bookings', name === 'bookings' || name === 'booking')}
                  ${link({ name: 'keys', code: partner }, 'Keys and webhooks', name === 'keys')}
                </ul>
              </li>`
            : nothing
        }
        ${link({ name: 'audit' }, 'Audit', name === 'audit')}
      </ul>
    </nav>`;
  }

  /** A lazily loaded page's element, or a loading line while its code arrives. */
  private lazy(tag: string, page: () => TemplateResult): TemplateResult {
    if (customElements.get(tag)) return page();
    const load = LAZY_PAGES[tag];
    load()
      .then(() => this.requestUpdate())
      .catch(() => {
        this.lazyFailure = 'This page could not be loaded: reload the console.';
        this.requestUpdate();
      });
    return this.lazyFailure ? html`<p role="alert" class="alert">${this.lazyFailure}</p>` : html`<p class="muted">Loading…</p>`;
  }

  private renderPage(): TemplateResult {
    const route = this.route;
    const key = location.pathname + location.search;
    switch (route.name) {
      case 'home':
      case 'partners':
        return keyedPage(key, html`<partners-page></partners-page>`);
      case 'audit':
        return keyedPage(key, html`<audit-page></audit-page>`);
      case 'bundle':
        return this.lazy('bundle-page', () => keyedPage(key, html`<bundle-page .code=${route.code}></bundle-page>`));
      case 'preview':
        return this.lazy('preview-page', () => keyedPage(key, html`<preview-page .code=${route.code}></preview-page>`));
      case 'analytics':
        return this.lazy('analytics-page', () => keyedPage(key, html`<analytics-page .code=${route.code}></analytics-page>`));
      case 'bookings':
        return keyedPage(key, html`<bookings-page .code=${route.code}></bookings-page>`);
      case 'booking':
        return keyedPage(key, html`<booking-page .code=${route.code} .bookingId=${route.bookingId}></booking-page>`);
      case 'keys':
        return keyedPage(key, html`<keys-page .code=${route.code}></keys-page>`);
      case 'not-found':
        return html`<h1 tabindex="-1">Page not found</h1>
          <p>Nothing lives at this address. <a href=${routePath({ name: 'partners' })}>Go to the partners</a>.</p>`;
    }
  }

  protected override render(): TemplateResult {
    if (!this.signedIn) return this.renderSignIn();
    return html`<a class="skip-link" href="#main" @click=${(e: Event) => this.skipToMain(e)}>Skip to content</a>
      <header class="top">
        <a class="brand" href=${routePath({ name: 'partners' })}>Offers console</a>
        ${this.renderNav()}
        <button type="button" class="secondary" @click=${() => this.signOutNow()}>Sign out</button>
      </header>
      <main id="main">${this.renderPage()}</main>`;
  }

  private skipToMain(event: Event): void {
    event.preventDefault();
    this.querySelector<HTMLElement>('main h1')?.focus();
  }
}

customElements.define('console-app', ConsoleApp);
