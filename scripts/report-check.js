// The report pages' browser check (ReportBrowserTests): injected before </body> of a copy of a page,
// it measures the laid-out page and writes its findings into the DOM as JSON, which headless
// Chromium prints with --dump-dom. Findings: elements past the page's right edge (a .scroll box may
// be wider inside), images that did not load, overlapping text inside a figure, text cut off at a
// figure's edge, and legend entries whose series has no visible mark.
(function () {
  const problems = [];
  const width = document.documentElement.clientWidth;
  const describe = el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.scroll') && !el.classList.contains('scroll')) continue;
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1) problems.push('overflow ' + Math.round(r.right - width) + ' px: ' + describe(el));
  }
  for (const img of document.images) if (!img.complete || img.naturalWidth === 0) problems.push('broken image: ' + img.getAttribute('src'));
  // Text in figures: each label's box as the four corners of its (possibly rotated) glyph box on
  // the screen; two labels overlap when no edge of either separates them (separating axes).
  const corners = t => {
    const b = t.getBBox(), m = t.getScreenCTM();
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
  };
  const separated = (p, q) => {
    for (const poly of [p, q]) for (let i = 0; i < 4; i++) {
      const [x1, y1] = poly[i], [x2, y2] = poly[(i + 1) % 4], nx = y1 - y2, ny = x2 - x1;
      const project = pts => pts.map(([x, y]) => x * nx + y * ny);
      const a = project(p), b = project(q), norm = Math.hypot(nx, ny) || 1;
      if (Math.min(...a) >= Math.max(...b) - norm || Math.min(...b) >= Math.max(...a) - norm) return true;  // 1 px of slack
    }
    return false;
  };
  for (const svg of document.querySelectorAll('svg')) {
    const boxes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() && t.getBBox().width > 0).map(t => [t, corners(t)]);
    // Text past the figure's own edges is cut off where the reader cannot see it.
    const frame = svg.getBoundingClientRect();
    for (const [t, c] of boxes) {
      if (c.some(([x, y]) => x < frame.left - 1 || x > frame.right + 1 || y < frame.top - 1 || y > frame.bottom + 1))
        problems.push('text outside its figure: "' + t.textContent.slice(0, 40) + '"');
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      if (!separated(boxes[i][1], boxes[j][1]))
        problems.push('text overlap in a figure: "' + boxes[i][0].textContent.slice(0, 30) + '" / "' + boxes[j][0].textContent.slice(0, 30) + '"');
    }
  }
  // Legend entries (charts tag an entry and its series' marks with one index): the series must
  // have a mark inside its figure, and somewhere the topmost element under it must be its own —
  // a series drawn exactly under another has a legend entry and nothing to see.
  const samples = el => {
    const tag = el.tagName.toLowerCase(), num = a => parseFloat(el.getAttribute(a));
    const along = pts => pts.flatMap((p, i) => i === 0 ? [p] : [...Array(12).keys()].map(t => [
      pts[i - 1][0] + (p[0] - pts[i - 1][0]) * (t + 1) / 12, pts[i - 1][1] + (p[1] - pts[i - 1][1]) * (t + 1) / 12]));
    // A marker is visible when its centre or any point two thirds of the way to its rim is.
    const around = ([cx, cy], rim) => [[cx, cy], ...rim.map(([x, y]) => [cx + (x - cx) * 2 / 3, cy + (y - cy) * 2 / 3])];
    if (tag === 'polyline' || tag === 'polygon') {
      const pts = el.getAttribute('points').trim().split(/\s+/).map(p => p.split(',').map(Number));
      return tag === 'polygon' ? around(pts.reduce((a, p) => [a[0] + p[0] / pts.length, a[1] + p[1] / pts.length], [0, 0]), pts) : along(pts);
    }
    if (tag === 'line') return along([[num('x1'), num('y1')], [num('x2'), num('y2')]]);
    if (tag === 'circle') {
      const cx = num('cx'), cy = num('cy'), r = num('r');
      // A ring (no fill) is seen only on its rim: eight points on it.
      if (el.getAttribute('fill') === 'none')
        return [...Array(8).keys()].map(k => [cx + r * Math.cos(k * Math.PI / 4), cy + r * Math.sin(k * Math.PI / 4)]);
      return around([cx, cy], [[cx + r, cy], [cx - r, cy], [cx, cy + r], [cx, cy - r]]);
    }
    return [];
  };
  for (const svg of document.querySelectorAll('svg')) {
    const entries = svg.querySelectorAll('[data-legend]');
    if (!entries.length) continue;
    svg.scrollIntoView();
    const m = svg.getScreenCTM();
    for (const entry of entries) {
      const name = entry.textContent.trim().slice(0, 40);
      const group = svg.querySelector('[data-series="' + entry.getAttribute('data-legend') + '"]');
      const marks = group ? [...group.children].filter(el => { const b = el.getBBox(); return b.width > 0 || b.height > 0; }) : [];
      if (!marks.length) { problems.push('legend entry without a mark: "' + name + '"'); continue; }
      const visible = marks.some(el => samples(el).some(([x, y]) => {
        const top = document.elementFromPoint(m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f);
        return top && group.contains(top);
      }));
      if (!visible) problems.push('legend entry whose series is hidden under another: "' + name + '"');
    }
  }
  window.scrollTo(0, 0);
  const marker = document.createElement('pre');
  marker.id = 'ptv-report-check';
  marker.textContent = JSON.stringify(problems);
  document.body.appendChild(marker);
})();
