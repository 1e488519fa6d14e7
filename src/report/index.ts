/** Self-contained HTML run reports with Vega-Lite charts rendered to inline SVG. */
export {
  renderReport,
  writeReport,
  renderTable,
  renderMetricsTable,
  curveCharts,
  flattenConfig,
  type ReportInput,
  type ReportSection,
  type ReportRunInfo,
  type Table,
  type MetricRow,
  type MetricsComparison,
  type CurvePoint,
} from './report.js';
export {
  lineChart,
  seriesWithIntervals,
  areaShading,
  heatmap,
  barChart,
  renderChartSvg,
  type ChartSpec,
  type Series,
  type Interval,
  type LineChartOptions,
  type IntervalChartOptions,
  type HeatmapOptions,
  type BarChartOptions,
} from './charts.js';
export { escapeHtml, formatNumber, assertSelfContained } from './html.js';
