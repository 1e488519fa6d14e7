/**
 * Training progress on a terminal: one live line per epoch (step, loss, ETA) on stderr when it
 * is a TTY; nothing otherwise (the systems' epoch lines are the plain-text record).
 */
import type { ProgressSink } from '../../train/fit.js';

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toPrecision(5);
}

/** A progress bar on stderr, or undefined when stderr is not a terminal (or NO_COLOR-free plain output is wanted). */
export function terminalProgress(io: { err: (t: string) => void }, stream: { isTTY?: boolean } = process.stderr): ProgressSink | undefined {
  if (stream.isTTY !== true) return undefined;
  let started = 0;
  let epochSeen = 0;
  return {
    batch(p) {
      if (p.epoch !== epochSeen || p.batch === 1) {
        epochSeen = p.epoch;
        started = performance.now();
      }
      const width = 24;
      let bar = `${p.batch}`;
      let eta = '';
      if (p.batches) {
        const filled = Math.round((width * p.batch) / p.batches);
        bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.batch}/${p.batches}`;
        const per = (performance.now() - started) / p.batch;
        eta = `  ETA ${((per * (p.batches - p.batch)) / 1000).toFixed(0)} s`;
      }
      io.err(`\r\x1b[2Kepoch ${p.epoch}/${p.epochs} ${bar}  loss ${fmt(p.loss)}${eta}`);
    },
    epoch() {
      io.err('\r\x1b[2K');
    },
  };
}
