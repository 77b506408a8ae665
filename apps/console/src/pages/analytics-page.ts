import { html, nothing, type TemplateResult } from 'lit';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, partnerPath } from '../api';
import type { Analytics, ConversionFigures } from '../api-types';
import { conversionPerDay, variantBars } from '../chart-data';
import { formatInstant, formatMinorAmounts, formatRate, isoDay } from '../format';
import { navigate, queryParam } from '../navigation';
import { routePath, withQuery } from '../router';
import { ConsolePage, errorAlert } from '../ui';

const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#4d7c0f'];
const CHART_HEIGHT = 260;

function figureCells(f: ConversionFigures): TemplateResult {
  return html`<td class="num">${f.offers}</td>
    <td class="num">${f.confirmations}</td>
    <td class="num">${f.opt_outs}</td>
    <td class="num">${formatRate(f.conversion_rate)}</td>
    <td class="num">${formatMinorAmounts(f.premium_confirmed)}</td>
    <td class="num">${f.cancellations}</td>
    <td class="num">${formatMinorAmounts(f.refunded)}</td>
    <td class="num">${formatMinorAmounts(f.net_premium)}</td>`;
}

const FIGURE_HEADERS = html`<th scope="col">Offers</th>
  <th scope="col">Confirmations</th>
  <th scope="col">Opt-outs</th>
  <th scope="col">Conversion</th>
  <th scope="col">Premium</th>
  <th scope="col">Cancellations</th>
  <th scope="col">Refunds</th>
  <th scope="col">Net premium</th>`;

/** The report's period in Unix seconds, from the start of its first day to the start of its last. */
function periodRange(report: Analytics): [number, number] {
  const from = Date.parse(report.from) / 1000;
  const lastDay = Date.parse(`${isoDay(new Date(Date.parse(report.to) - 1))}T00:00:00Z`) / 1000;
  return [from, Math.max(lastDay, from + 86_400)];
}

/** Conversion per offer config and variant over a period, in a table and two charts. */
export class AnalyticsPage extends ConsolePage {
  code = '';
  private from = queryParam('from') || isoDay(new Date(), -29);
  private to = queryParam('to') || isoDay(new Date());
  private report: Analytics | null = null;
  private charts: uPlot[] = [];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    const report = await this.attempt(() => api<Analytics>('GET', withQuery(partnerPath(this.code, '/analytics'), { from: this.from, to: this.to })));
    if (!report) return;
    this.report = report;
    this.requestUpdate();
    await this.updateComplete;
    this.drawCharts(report);
  }

  private show(event: SubmitEvent): void {
    event.preventDefault();
    navigate(withQuery(routePath({ name: 'analytics', code: this.code }), { from: this.from, to: this.to }));
  }

  private drawCharts(report: Analytics): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    const dayHost = this.querySelector<HTMLElement>('[data-chart="conversion-per-day"] .chart');
    const variantHost = this.querySelector<HTMLElement>('[data-chart="variants"] .chart');
    if (!dayHost || !variantHost) return;
    const width = Math.max(480, dayHost.clientWidth || 800);

    const perDay = conversionPerDay(report.daily ?? []);
    dayHost.closest('figure')?.setAttribute('data-points', String(perDay.points));
    this.charts.push(
      new uPlot(
        {
          width,
          height: CHART_HEIGHT,
          // the x axis spans the period asked, whatever days had offers
          scales: { x: { time: true, range: periodRange(report) }, y: { range: [0, 100] } },
          series: [
            { label: 'Day' },
            ...perDay.configs.map((config, i) => ({
              label: config,
              stroke: PALETTE[i % PALETTE.length],
              width: 2,
              spanGaps: false,
              points: { show: true, size: 6 },
              value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${v}%`),
            })),
          ],
          axes: [{}, { values: (_u: uPlot, splits: number[]) => splits.map((v) => `${v}%`), size: 50 }],
        },
        perDay.data,
        dayHost,
      ),
    );

    const bars = variantBars(report.rows);
    variantHost.closest('figure')?.setAttribute('data-points', String(bars.labels.length));
    const count = bars.labels.length;
    this.charts.push(
      new uPlot(
        {
          width,
          height: CHART_HEIGHT + 40,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false, range: [-0.5, Math.max(count - 0.5, 0.5)] }, y: { range: [0, 100] } },
          series: [
            {},
            {
              label: 'Conversion',
              fill: 'rgba(11, 92, 173, 0.55)',
              stroke: PALETTE[0],
              paths: uPlot.paths.bars?.({ size: [0.6, 80] }),
              points: { show: false },
            },
          ],
          axes: [
            {
              splits: () => bars.data[0],
              values: (_u: uPlot, splits: number[]) => splits.map((i) => bars.labels[i] ?? ''),
              rotate: 0,
              size: 60,
              font: '11px system-ui, sans-serif',
            },
            { values: (_u: uPlot, splits: number[]) => splits.map((v) => `${v}%`), size: 50 },
          ],
        },
        bars.data,
        variantHost,
      ),
    );
  }

  private renderTables(report: Analytics): TemplateResult {
    return html`<table>
        <caption>
          Per offer config and variant, offers created from ${formatInstant(report.from)} to ${formatInstant(report.to)}
        </caption>
        <thead>
          <tr>
            <th scope="col">Offer config</th>
            <th scope="col">Experiment</th>
            <th scope="col">Variant</th>
            ${FIGURE_HEADERS}
          </tr>
        </thead>
        <tbody>
          ${report.rows.map(
            (r) =>
              html`<tr>
                <td><code>${r.offer_config_id}</code></td>
                <td>${r.experiment_key ?? '—'}</td>
                <td>${r.variant ?? '—'}</td>
                ${figureCells(r)}
              </tr>`,
          )}
          ${
            report.rows.length === 0
              ? html`<tr>
                  <td colspan="11" class="muted">No offer in this period.</td>
                </tr>`
              : nothing
          }
        </tbody>
      </table>
      <table>
        <caption>
          Per offer config
        </caption>
        <thead>
          <tr>
            <th scope="col">Offer config</th>
            ${FIGURE_HEADERS}
          </tr>
        </thead>
        <tbody>
          ${report.totals.map(
            (t) =>
              html`<tr>
                <td><code>${t.offer_config_id}</code></td>
                ${figureCells(t)}
              </tr>`,
          )}
          ${
            report.totals.length === 0
              ? html`<tr>
                  <td colspan="9" class="muted">No offer in this period.</td>
                </tr>`
              : nothing
          }
        </tbody>
      </table>`;
  }

  protected override render() {
    const report = this.report;
    return html`<h1 tabindex="-1">Analytics</h1>
      <form class="inline-form" @submit=${(e: SubmitEvent) => this.show(e)}>
        <label for="analytics-from">From</label>
        <input id="analytics-from" type="date" required .value=${this.from} @input=${(e: Event) => (this.from = (e.target as HTMLInputElement).value)} />
        <label for="analytics-to">To</label>
        <input id="analytics-to" type="date" required .value=${this.to} @input=${(e: Event) => (this.to = (e.target as HTMLInputElement).value)} />
        <button type="submit">Show</button>
      </form>
      <p class="hint">Offers created from the start of the first day to the end of the last (UTC).</p>
      ${errorAlert(this.error)}
      ${
        report
          ? html`${this.renderTables(report)}
              <div class="charts">
                <figure data-chart="conversion-per-day" data-points="0">
                  <figcaption>Conversion per day and offer config (%)</figcaption>
                  <div class="chart" role="img" aria-label="Line chart of the conversion per day; the figures are in the tables above"></div>
                </figure>
                <figure data-chart="variants" data-points="0">
                  <figcaption>Conversion per variant (%), with the number of offers behind each bar</figcaption>
                  <div class="chart" role="img" aria-label="Bar chart of the conversion per variant; the figures are in the tables above"></div>
                </figure>
              </div>`
          : this.error
            ? nothing
            : html`<p class="muted">Loading…</p>`
      }`;
  }
}

customElements.define('analytics-page', AnalyticsPage);
