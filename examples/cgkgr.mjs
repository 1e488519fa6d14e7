// Recommend with CG-KGR: read a data set (here the seeded synthetic one; or a KGCN folder,
// or raw ratings + an item table), train, compare with popularity, and recommend.
import { initEngine } from 'sheaf';
import { CGKGR } from 'sheaf/cgkgr';

await initEngine();
const data = await CGKGR.readData({ synthetic: true });
const model = await CGKGR.fit(data, { epochs: 1, batchSize: 1024, sampleSize: 4, randomKg: false, officialTopK: false }, { evaluation: { maxRankUsers: 20 } });
const result = await model.evaluate();
const full = result.results.find((r) => r.split === 'test' && r.protocol === 'full ranking');
const pop = full.baselines.find((b) => b.label === 'item popularity');
console.log(`test AUC ${full.model.metrics['AUC (global)'].toFixed(3)} | popularity ${pop.metrics['AUC (global)'].toFixed(3)}`);
const recs = await model.recommend([0, 1], 3);
console.log(recs.map((r) => `user ${r.user} #${r.rank}: item ${r.item} (${r.score.toFixed(3)})`).join('\n'));
model.dispose();
