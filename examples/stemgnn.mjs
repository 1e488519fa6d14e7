// Forecast related series with StemGNN: fit on a table, score it beside the baselines, forecast,
// save and load. Run: node examples/stemgnn.mjs (after npm ci), or against an installed package.
import { initEngine } from 'sheaf';
import { StemGNN, seriesTableFrom } from 'sheaf/stemgnn';

await initEngine();
// 3 synthetic series with a weekly cycle, 200 days.
const rows = Array.from({ length: 200 }, (_, t) => [0, 1, 2].map((j) => 10 + j + 3 * Math.sin((2 * Math.PI * t) / 7 + j) + 0.01 * t));
const table = seriesTableFrom(rows, { names: ['north', 'south', 'east'] });

const model = await StemGNN.fit(table, { window: 8, horizon: 2, multiLayer: 1, lr: 1e-3, epochs: 2 });
const result = await model.evaluate(); // test and valid splits, model beside last value, seasonal naive, window mean
const test = result.results.find((r) => r.split === 'test');
console.log(`test MAE ${test.model.metrics.MAE.toFixed(3)} | seasonal naive ${test.baselines[1].metrics.MAE.toFixed(3)}`);

const forecast = await model.predict(rows.slice(-8)); // the 2 days after the last row
console.log('forecast (day +1):', Array.from(forecast.forecast.slice(0, 3), (v) => v.toFixed(2)).join(', '));

const dir = process.argv[2] ?? 'stemgnn-model';
await model.save(dir);
const again = await StemGNN.load(dir);
const same = await again.predict(rows.slice(-8));
console.log(
  'reloaded forecast equal:',
  same.forecast.every((v, i) => v === forecast.forecast[i]),
);
model.dispose();
again.dispose();
