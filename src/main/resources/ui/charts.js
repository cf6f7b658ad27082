// Hand-drawn SVG charts: no library, nothing fetched. Every value reaches the DOM as an attribute or text node.
const NS = 'http://www.w3.org/2000/svg';
export const COLORS = ['#1f4e79', '#d1495b', '#edae49', '#00798c', '#30638e', '#66a182', '#8d6a9f', '#c17c74'];

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function frame(width, height) {
  return el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** A line over equally spaced samples; returns the SVG element. */
export function lineChart(values, { width = 800, height = 160, label = '' } = {}) {
  const svg = frame(width, height);
  const pad = 30, max = niceMax(Math.max(0, ...values));
  svg.append(el('line', { x1: pad, y1: height - 18, x2: width, y2: height - 18, stroke: '#d8dde3' }));
  svg.append(el('text', { x: 2, y: 12 }, String(max)));
  svg.append(el('text', { x: 2, y: height - 18 }, '0'));
  if (values.length > 1) {
    const step = (width - pad) / (values.length - 1);
    const pts = values.map((v, i) => `${(pad + i * step).toFixed(1)},${(height - 18 - (v / max) * (height - 30)).toFixed(1)}`);
    svg.append(el('polyline', { points: pts.join(' '), fill: 'none', stroke: COLORS[0], 'stroke-width': 2 }));
  }
  svg.append(el('text', { x: pad, y: height - 4 }, label));
  return svg;
}

/**
 * Stacked bars: one bar per x label, one segment per series.
 * @param labels x labels, in order
 * @param series [{name, values: number[] (one per label)}]
 */
export function stackedBars(labels, series, { width = 800, height = 240, unit = '' } = {}) {
  const svg = frame(width, height);
  const pad = 46, bottom = height - 22;
  const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] || 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  svg.append(el('line', { x1: pad, y1: bottom, x2: width, y2: bottom, stroke: '#d8dde3' }));
  svg.append(el('text', { x: 2, y: 12 }, `${unit}${max}`));
  svg.append(el('text', { x: 2, y: bottom }, `${unit}0`));
  const slot = (width - pad) / Math.max(1, labels.length);
  const bw = Math.max(2, slot * 0.7);
  const most = Math.max(2, Math.floor((width - pad) / (7 * Math.max(1, ...labels.map((l) => l.length))))); // fit
  labels.forEach((lab, i) => {
    let y = bottom;
    series.forEach((s, j) => {
      const v = s.values[i] || 0;
      if (v <= 0) return;
      const h = (v / max) * (bottom - 14);
      y -= h;
      const r = el('rect', { x: (pad + i * slot + (slot - bw) / 2).toFixed(1), y: y.toFixed(1), width: bw.toFixed(1),
        height: h.toFixed(1), fill: COLORS[j % COLORS.length] });
      r.append(el('title', {}, `${lab} ${s.name}: ${unit}${v}`));
      svg.append(r);
    });
    if (labels.length <= most || i % Math.ceil(labels.length / most) === 0) {
      svg.append(el('text', { x: (pad + i * slot + slot / 2).toFixed(1), y: height - 6, 'text-anchor': 'middle' },
        lab));
    }
  });
  return svg;
}
