import { MergeView } from '@codemirror/merge';
import type { EditorView } from '@codemirror/view';
import { html, nothing } from 'lit';
import bundleSchema from '../../../../libs/bundles/src/validation/bundle.schema.json';
import { api, ApiError, findPartner, partnerPath } from '../api';
import type { BundleVersion, BundleWriteResult } from '../api-types';
import { createJsonEditor, jsonBase, replaceText, showServerProblems, type EditorSchema } from '../editor';
import { formatInstant } from '../format';
import { bundleDraft, saveBundleDraft } from '../session';
import { starterBundle } from '../starter-bundle';
import { ConsolePage, errorAlert } from '../ui';
import { diffPaths, prettyJson, type PathChange } from '../version-diff';

const MAX_LISTED_CHANGES = 100;

/** A partner's bundle in an editor checked against the bundle schema; save, versions, diff, restore. */
export class BundlePage extends ConsolePage {
  code = '';
  private loaded = false;
  /** false until the partner has a bundle in force */
  private partnerExists = true;
  private missingPartner = false;
  /** the text of the bundle in force, as the editor shows it */
  private savedText = '';
  private dirty = false;
  private saving = false;
  private message = '';
  private versions: BundleVersion[] = [];
  private compareFrom = 0;
  private compareTo = 0;
  private changes: PathChange[] | null = null;
  private editor: EditorView | null = null;
  private merge: MergeView | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    this.editor?.destroy();
    this.merge?.destroy();
    this.editor = null;
    this.merge = null;
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    let inForce: unknown = null;
    await this.attempt(async () => {
      // a partner not created yet (or without a bundle) is known from the list, without a 404
      const partner = await findPartner(this.code);
      this.missingPartner = partner === undefined;
      this.partnerExists = partner !== undefined && partner.current_version > 0;
      if (!this.partnerExists) return;
      const [bundle, versions] = await Promise.all([
        api<unknown>('GET', partnerPath(this.code, '/bundle')),
        api<BundleVersion[]>('GET', partnerPath(this.code, '/bundle/versions')),
      ]);
      inForce = bundle;
      this.setVersions(versions);
    });
    if (this.error) return;
    this.savedText = this.partnerExists ? prettyJson(inForce) : '';
    const draft = bundleDraft(this.code);
    const text = draft ?? (this.partnerExists ? this.savedText : prettyJson(starterBundle(this.code)));
    this.dirty = text !== this.savedText;
    if (draft !== null && this.partnerExists && this.dirty) this.message = 'Unsaved changes from this tab restored.';
    this.loaded = true;
    this.requestUpdate();
    await this.updateComplete;
    const host = this.querySelector<HTMLElement>('.editor-host');
    if (!host) return;
    this.editor = createJsonEditor({
      parent: host,
      doc: text,
      label: 'Bundle JSON',
      schema: bundleSchema as EditorSchema,
      onChange: (changed) => this.edited(changed),
      onSave: () => void this.save(),
    });
  }

  private setVersions(versions: BundleVersion[]): void {
    this.versions = versions;
    this.compareTo = versions[0]?.version ?? 0;
    this.compareFrom = versions[1]?.version ?? this.compareTo;
  }

  private edited(text: string): void {
    this.dirty = text !== this.savedText;
    saveBundleDraft(this.code, this.dirty ? text : null);
    if (this.message) this.message = '';
    this.requestUpdate();
  }

  private async save(): Promise<void> {
    const view = this.editor;
    if (!view || this.saving) return;
    const text = view.state.doc.toString();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      this.error = new ApiError(0, 'invalid_json', `The bundle is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      this.message = '';
      this.requestUpdate();
      return;
    }
    this.saving = true;
    this.message = '';
    const result = await this.attempt(() => api<BundleWriteResult>('PUT', partnerPath(this.code, '/bundle'), body));
    this.saving = false;
    if (!result) {
      const problems = Object.entries(this.error?.problems ?? {}).flatMap(([path, messages]) => messages.map((message) => ({ path, message })));
      showServerProblems(view, problems);
      this.requestUpdate();
      return;
    }
    this.partnerExists = true;
    this.savedText = text;
    this.dirty = false;
    saveBundleDraft(this.code, null);
    this.message = `Saved version ${result.version}`;
    this.requestUpdate();
    await this.reloadVersions();
  }

  private async reloadVersions(): Promise<void> {
    const versions = await this.attempt(() => api<BundleVersion[]>('GET', partnerPath(this.code, '/bundle/versions')));
    if (versions) this.setVersions(versions);
    this.requestUpdate();
  }

  private async restore(version: number): Promise<void> {
    this.message = '';
    const result = await this.attempt(() => api<BundleWriteResult>('POST', partnerPath(this.code, `/bundle/versions/${version}/restore`)));
    if (!result) return;
    const bundle = await this.attempt(() => api<unknown>('GET', partnerPath(this.code, '/bundle')));
    if (bundle !== undefined && this.editor) {
      this.savedText = prettyJson(bundle);
      replaceText(this.editor, this.savedText);
    }
    this.message = `Restored version ${version} as version ${result.version}`;
    this.requestUpdate();
    await this.reloadVersions();
  }

  private discard(): void {
    if (!this.editor) return;
    replaceText(this.editor, this.partnerExists ? this.savedText : prettyJson(starterBundle(this.code)));
    saveBundleDraft(this.code, null);
    this.error = null;
    this.message = 'Changes discarded.';
    this.requestUpdate();
  }

  private async compare(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const [from, to] = [this.compareFrom, this.compareTo];
    const pair = await this.attempt(() =>
      Promise.all([
        api<unknown>('GET', partnerPath(this.code, `/bundle/versions/${from}`)),
        api<unknown>('GET', partnerPath(this.code, `/bundle/versions/${to}`)),
      ]),
    );
    if (!pair) return;
    this.changes = diffPaths(pair[0], pair[1]);
    this.requestUpdate();
    await this.updateComplete;
    const host = this.querySelector<HTMLElement>('.diff-host');
    if (!host) return;
    this.merge?.destroy();
    this.merge = new MergeView({
      parent: host,
      a: { doc: prettyJson(pair[0]), extensions: jsonBase(`Version ${from}`, true) },
      b: { doc: prettyJson(pair[1]), extensions: jsonBase(`Version ${to}`, true) },
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
    });
  }

  private renderVersions() {
    if (this.versions.length === 0) return html`<p class="muted">No version yet: the first save writes version 1.</p>`;
    const options = (selected: number) =>
      this.versions.map((v) => html`<option value=${v.version} ?selected=${v.version === selected}>${v.version}${v.current ? ' (in force)' : ''}</option>`);
    return html`<table class="versions">
        <caption>
          Versions
        </caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Time</th>
            <th scope="col">Author</th>
            <th scope="col">Source</th>
            <th scope="col"><span class="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${this.versions.map(
            (v) =>
              html`<tr>
                <td>${v.version} ${v.current ? html`<span class="badge badge-active">in force</span>` : nothing}</td>
                <td><time datetime=${v.created_at}>${formatInstant(v.created_at)}</time></td>
                <td>${v.created_by}</td>
                <td><code>${v.source}</code></td>
                <td><button type="button" class="secondary" @click=${() => void this.restore(v.version)}>Restore</button></td>
              </tr>`,
          )}
        </tbody>
      </table>
      <form class="inline-form" @submit=${(e: SubmitEvent) => void this.compare(e)}>
        <label for="compare-from">From version</label>
        <select id="compare-from" @change=${(e: Event) => (this.compareFrom = Number((e.target as HTMLSelectElement).value))}>
          ${options(this.compareFrom)}
        </select>
        <label for="compare-to">To version</label>
        <select id="compare-to" @change=${(e: Event) => (this.compareTo = Number((e.target as HTMLSelectElement).value))}>
          ${options(this.compareTo)}
        </select>
        <button type="submit">Compare</button>
      </form>
      ${
        this.changes === null
          ? nothing
          : html`<section class="diff" aria-label="Differences">
              <p>
                ${
                  this.changes.length === 0
                    ? 'The two versions are the same.'
                    : `${this.changes.length} change${this.changes.length === 1 ? '' : 's'} from version ${this.compareFrom} to version ${this.compareTo}:`
                }
              </p>
              ${
                this.changes.length > 0
                  ? html`<ul class="changes" aria-label="Changed paths">
                      ${this.changes
                        .slice(0, MAX_LISTED_CHANGES)
                        .map((c) => html`<li><span class="badge badge-${c.change}">${c.change}</span> <code>${c.path}</code></li>`)}
                    </ul>`
                  : nothing
              }
              <div class="diff-host"></div>
            </section>`
      }`;
  }

  protected override render() {
    return html`<h1 tabindex="-1">Bundle of ${this.code}</h1>
      <p role="status" class="status">${this.message}</p>
      ${errorAlert(this.error)}
      ${
        this.loaded && !this.partnerExists
          ? html`<p class="note">
              ${this.missingPartner ? `No partner ${this.code} yet: saving this bundle creates it` : `${this.code} has no bundle yet: saving writes version 1`}
              (<code>partner.code</code> must stay ${this.code}).
            </p>`
          : nothing
      }
      <div class="toolbar">
        <button type="button" ?disabled=${!this.loaded || this.saving} @click=${() => void this.save()}>Save</button>
        <button type="button" class="secondary" ?disabled=${!this.dirty} @click=${() => this.discard()}>Discard changes</button>
        <span class="muted">${this.dirty ? 'Unsaved changes (kept in this tab for Preview)' : this.loaded ? 'No unsaved changes' : 'Loading…'}</span>
      </div>
      <div class="editor-host bundle-editor"></div>
      <h2>Version history</h2>
      ${this.renderVersions()}`;
  }
}

customElements.define('bundle-page', BundlePage);
