/*
 * qlib explorables on the static site: figures and controls driven by
 * plotly.js alone, from values precomputed at build time.
 *
 * Every element `.qlib-explorable` holds a payload in
 * `<script type="application/json" class="qlib-explorable-data">` (format in
 * the docstring of qlib/explore.py), range inputs / selects marked
 * `data-qlib-control="<control>"`, and a `.qlib-explorable-figure` div.
 * On load the script draws the figure for the current setting, reveals the
 * controls (hidden until then, so a control never does nothing), and redraws
 * with Plotly.react whenever a control moves: the first change in an animation
 * frame at once, inside its event; further changes in that frame once, at the
 * latest setting, in the next frame; never a setting already on screen.
 *
 * URL hash: `#<explorable>.<control>=<value>` pairs joined by `&`, for every
 * control not at its default; a slider's value is its grid number, a choice's
 * its option label (URI-encoded). Written with history.replaceState after a
 * change; read on load and on hashchange. The hash is untrusted: unknown names,
 * values off the grid and malformed pairs are ignored, and nothing from it is
 * put into the page except through `.value` / `.textContent`.
 *
 * After each drawing the explorable element gets `data-qlib-ready="true"` and
 * `data-qlib-index="<flat grid index>"`.
 *
 * Plain ES2017, no dependencies besides the global `Plotly`.
 */
(function () {
  "use strict";

  var HASH_MAX = 8192;
  var UNSAFE_KEYS = { __proto__: true, constructor: true, prototype: true };
  var instances = [];

  // ---------------------------------------------------------------- decoding
  function undelta(d, order) {
    var out = d.slice();
    for (var k = 0; k < order; k++) {
      for (var i = 1; i < out.length; i++) out[i] += out[i - 1];
    }
    return out;
  }

  function decodeArray(enc) {
    var n = undelta(enc.d, enc.k || 0);
    var out = new Array(n.length);
    var i;
    if (enc.$qa === "g") {
      var sign = enc.sg || 1;
      for (i = 0; i < n.length; i++) out[i] = sign * Math.pow(10, n[i] / 100000);
    } else {
      var e = enc.e || 0;
      var scale = Math.pow(10, Math.abs(e));
      for (i = 0; i < n.length; i++) out[i] = e < 0 ? n[i] / scale : n[i] * scale;
    }
    if (enc.s && enc.s.length === 2) {
      var rows = [];
      var cols = enc.s[1];
      for (i = 0; i < enc.s[0]; i++) rows.push(out.slice(i * cols, (i + 1) * cols));
      return rows;
    }
    return out;
  }

  function decodeTree(x) {
    if (Array.isArray(x)) return x.map(decodeTree);
    if (x !== null && typeof x === "object") {
      if (typeof x.$qa === "string") return decodeArray(x);
      var o = {};
      Object.keys(x).forEach(function (k) {
        if (!UNSAFE_KEYS[k]) o[k] = decodeTree(x[k]);
      });
      return o;
    }
    return x;
  }

  function isLeafArray(x) {
    return Array.isArray(x) && (x.length === 0 || x[0] === null || typeof x[0] !== "object" ||
      Array.isArray(x[0]));
  }

  // Copy objects and arrays of objects; share numeric leaf arrays (never mutated).
  function cloneTree(x) {
    if (Array.isArray(x)) return isLeafArray(x) ? x : x.map(cloneTree);
    if (typeof ArrayBuffer !== "undefined" && ArrayBuffer.isView(x)) return x;  // typed array: a leaf
    if (x !== null && typeof x === "object") {
      var o = {};
      Object.keys(x).forEach(function (k) { o[k] = cloneTree(x[k]); });
      return o;
    }
    return x;
  }

  function setPath(root, path, value) {
    var node = root;
    for (var i = 0; i < path.length - 1; i++) {
      var key = path[i];
      if (UNSAFE_KEYS[key]) return;
      if (node[key] === null || typeof node[key] !== "object") {
        node[key] = typeof path[i + 1] === "number" ? [] : {};
      }
      node = node[key];
    }
    var last = path[path.length - 1];
    if (!UNSAFE_KEYS[last]) node[last] = value;
  }

  function deletePath(root, path) {
    var node = root;
    for (var i = 0; i < path.length - 1; i++) {
      node = node[path[i]];
      if (node === null || typeof node !== "object") return;
    }
    delete node[path[path.length - 1]];
  }

  function base64ToBytes(text) {
    var bin = atob(text);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  function inflate(text) {
    var stream = new Blob([base64ToBytes(text)]).stream()
      .pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }

  // ---------------------------------------------------------------- hash
  function safeDecode(s) {
    try { return decodeURIComponent(s.replace(/\+/g, "%20")); } catch (e) { return null; }
  }

  // Map "explorable" -> Map "control" -> raw value string (last one wins).
  function parseHash() {
    var out = new Map();
    var raw = (window.location.hash || "").slice(1, HASH_MAX + 1);
    if (raw.indexOf("=") < 0) return out;
    raw.split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq <= 0) return;
      var key = safeDecode(part.slice(0, eq));
      var value = safeDecode(part.slice(eq + 1));
      if (key === null || value === null) return;
      var dot = key.indexOf(".");
      if (dot <= 0) return;
      var name = key.slice(0, dot);
      var control = key.slice(dot + 1);
      if (!out.has(name)) out.set(name, new Map());
      out.get(name).set(control, value);
    });
    return out;
  }

  var NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

  function writeHash() {
    var pairs = [];
    var seen = new Set();
    instances.forEach(function (ex) {
      if (!ex.ready || seen.has(ex.name)) return;
      seen.add(ex.name);
      ex.controls.forEach(function (c, i) {
        var idx = ex.state[i];
        if (idx === c.default) return;
        var value = c.kind === "slider" ? String(c.values[idx]) : c.text[idx];
        pairs.push(encodeURIComponent(ex.name + "." + c.name) + "=" + encodeURIComponent(value));
      });
    });
    var hash = pairs.join("&");
    var current = (window.location.hash || "").slice(1);
    var ours = current === "" || current.indexOf("=") >= 0;
    if (hash === current || (hash === "" && !ours)) return;
    var url = window.location.pathname + window.location.search + (hash ? "#" + hash : "");
    try { window.history.replaceState(window.history.state, "", url); } catch (e) { /* file: */ }
  }

  var hashTimer = null;
  function scheduleHashWrite() {
    if (hashTimer !== null) clearTimeout(hashTimer);
    hashTimer = setTimeout(function () { hashTimer = null; writeHash(); }, 250);
  }

  // ---------------------------------------------------------------- the reader's screen
  // Dark mode (the theme's toggle: <html data-theme="dark">), touch screens and
  // narrow screens change how a figure is drawn, never what it shows:
  // - dark: transparent paper, the theme's text colour, visible gridlines, and
  //   near-black ink (a black trace, a dark annotation) drawn in the text colour;
  // - touch: no drag-zoom (a vertical swipe scrolls the page), no toolbar, a 3D
  //   scene drawn still;
  // - narrow (<= 36rem, as explorable.css): the title, which carries the
  //   result, moves out of the plot into wrapping text above it; side-by-side
  //   panels stack; a figure with a minimum width scrolls sideways in its box.
  // Every figure also gets an accessible name: its title (the result line, in an
  // aria-live region for explorables) and its caption.
  var NARROW_QUERY = "(max-width: 36rem)";
  var TOUCH_QUERY = "(hover: none) and (pointer: coarse)";
  var AXIS_RE = /^[xy]axis\d*$/;
  var SCENE_RE = /^scene\d*$/;
  var BOOK_CONFIG = { responsive: true, displaylogo: false, displayModeBar: "hover" };

  function mediaMatches(query) {
    return !!(window.matchMedia && window.matchMedia(query).matches);
  }

  function screenNow() {
    return {
      dark: document.documentElement.getAttribute("data-theme") === "dark",
      touch: mediaMatches(TOUCH_QUERY),
      narrow: mediaMatches(NARROW_QUERY)
    };
  }

  function screenKey(s) {
    return (s.dark ? "d" : "l") + (s.touch ? "t" : "p") + (s.narrow ? "n" : "w");
  }

  function cssColour(name, fallback) {
    var v = window.getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  // Relative luminance (WCAG 2.1) of "#rgb", "#rrggbb" or "rgb(a)(...)"; null otherwise.
  function luminance(colour) {
    if (typeof colour !== "string") return null;
    var c = colour.trim().toLowerCase();
    var rgb = null;
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(c);
    if (m) {
      var h = m[1].length === 3 ? m[1].replace(/(.)/g, "$1$1") : m[1];
      rgb = [0, 2, 4].map(function (i) { return parseInt(h.slice(i, i + 2), 16); });
    } else if (c === "black") {
      rgb = [0, 0, 0];
    } else if (c === "white") {
      rgb = [255, 255, 255];
    } else {
      m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/.exec(c);
      if (m) rgb = [Number(m[1]), Number(m[2]), Number(m[3])];
    }
    if (!rgb) return null;
    var lin = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  }

  // Ink that would vanish on a dark background (contrast below 3:1 on #14181e).
  function tooDark(colour) {
    var y = luminance(colour);
    return y !== null && y < 0.05;
  }

  function copyOf(x) {
    return x !== null && typeof x === "object" && !Array.isArray(x) ? Object.assign({}, x) : {};
  }

  function recolourFont(owner, key, ink, force) {
    var font = copyOf(owner[key]);
    if (force || font.color === undefined || tooDark(font.color)) font.color = ink;
    owner[key] = font;
  }

  // The title as plain lines: Plotly's <br> breaks lines, other markup is dropped.
  // DOMParser builds an inert document (no script runs, nothing loads).
  var parser = typeof DOMParser === "undefined" ? null : new DOMParser();
  function titleLines(layout) {
    var t = layout && layout.title;
    var text = typeof t === "string" ? t : (t && typeof t.text === "string" ? t.text : "");
    var sub = t && t.subtitle && typeof t.subtitle.text === "string" ? t.subtitle.text : "";
    if (sub) text += "<br>" + sub;
    return text.split(/<br\s*\/?>/i).map(function (part) {
      var plain = parser ? parser.parseFromString(part, "text/html").body.textContent
        : part.replace(/<[^>]*>/g, "");
      return plain.replace(/\s+/g, " ").trim();
    }).filter(function (line) { return line !== ""; });
  }

  // Side-by-side panels (one row of subplots, as make_subplots(cols=n) lays them
  // out) stacked into one column on a narrow screen, the figure taller, each
  // panel's title (a paper annotation above it) moved with it. Other layouts: null.
  function stackedPanels(layout) {
    var xs = Object.keys(layout).filter(function (k) { return /^xaxis\d*$/.test(k); });
    if (xs.length < 2) return null;
    var columns = [];
    for (var i = 0; i < xs.length; i++) {
      var x = layout[xs[i]] || {};
      var d = x.domain;
      var yKey = "yaxis" + String(x.anchor || "y").slice(1);
      var y = layout[yKey] || {};
      var yd = y.domain || [0, 1];
      if (!Array.isArray(d) || d.length !== 2 || d[1] - d[0] > 0.6) return null;  // not a panel of a row
      if (yd[0] > 0.05 || yd[1] < 0.95) return null;                             // more than one row
      columns.push({ x: xs[i], y: yKey, d: d });
    }
    columns.sort(function (a, b) { return a.d[0] - b.d[0]; });
    for (var j = 1; j < columns.length; j++) {
      if (columns[j].d[0] < columns[j - 1].d[1]) return null;                   // overlapping panels
    }
    return columns;
  }

  function stackPanels(out, layout, columns) {
    var n = columns.length;
    var gap = 0.1;
    var rowHeight = (1 - gap * (n - 1)) / n;
    var oldHeight = typeof layout.height === "number" ? layout.height : 450;
    var grow = 0.8 * n;
    out.height = Math.round(oldHeight * grow);
    columns.forEach(function (c, i) {
      var top = 1 - i * (rowHeight + gap);
      c.top = top;
      c.bottom = top - rowHeight;
      out[c.x] = Object.assign(copyOf(out[c.x]), { domain: [0, 1] });
      out[c.y] = Object.assign(copyOf(out[c.y]), { domain: [c.bottom, c.top] });
    });
    if (Array.isArray(out.annotations)) {
      out.annotations = out.annotations.map(function (a) {
        if (!a || a.xref !== "paper" || a.yref !== "paper" || typeof a.x !== "number" || typeof a.y !== "number") return a;
        var c = columns.filter(function (col) { return a.x >= col.d[0] - 0.02 && a.x <= col.d[1] + 0.02; })[0];
        if (!c) return a;
        return Object.assign(copyOf(a), {
          x: (a.x - c.d[0]) / (c.d[1] - c.d[0]),
          y: c.bottom + (c.top - c.bottom) * a.y
        });
      });
    }
    // a legend below the plot keeps its distance from it in pixels
    if (out.legend && typeof out.legend.y === "number" && out.legend.y < 0) {
      out.legend = Object.assign(copyOf(out.legend), { y: out.legend.y / grow });
    }
  }

  function screenLayout(layout, s) {
    var out = Object.assign({}, layout);
    var axes = Object.keys(out).filter(function (k) { return AXIS_RE.test(k); });
    ["xaxis", "yaxis"].forEach(function (k) { if (axes.indexOf(k) < 0) axes.push(k); });
    if (s.dark) {
      var ink = cssColour("--pst-color-text-base", "#ced6dd");
      var muted = cssColour("--pst-color-text-muted", "#9ca4af");
      out.paper_bgcolor = "rgba(0,0,0,0)";
      out.plot_bgcolor = "rgba(0,0,0,0)";
      recolourFont(out, "font", ink, true);
      var legend = copyOf(out.legend);
      legend.bgcolor = "rgba(0,0,0,0)";
      recolourFont(legend, "font", ink, false);
      out.legend = legend;
      if (out.title !== undefined && typeof out.title === "object") {
        out.title = copyOf(out.title);
        recolourFont(out.title, "font", ink, false);
      }
      out.modebar = Object.assign(copyOf(out.modebar), {
        bgcolor: "rgba(0,0,0,0)", color: muted, activecolor: ink
      });
      axes.forEach(function (k) {
        var axis = copyOf(out[k]);
        axis.gridcolor = "rgba(206,214,221,0.16)";
        axis.zerolinecolor = "rgba(206,214,221,0.35)";
        axis.linecolor = muted;
        axis.tickcolor = muted;
        recolourFont(axis, "tickfont", ink, false);
        if (axis.title !== undefined && typeof axis.title === "object") {
          axis.title = copyOf(axis.title);
          recolourFont(axis.title, "font", ink, false);
        }
        out[k] = axis;
      });
      if (Array.isArray(out.annotations)) {
        out.annotations = out.annotations.map(function (a) {
          var b = copyOf(a);
          recolourFont(b, "font", ink, false);
          if (tooDark(b.arrowcolor)) b.arrowcolor = ink;
          return b;
        });
      }
      if (Array.isArray(out.shapes)) {
        out.shapes = out.shapes.map(function (sh) {
          var b = copyOf(sh);
          if (b.line && tooDark(b.line.color)) b.line = Object.assign(copyOf(b.line), { color: ink });
          if (tooDark(b.fillcolor)) b.fillcolor = ink;
          // a white box holds dark ink, now drawn light: the box goes, its outline stays
          else if (luminance(b.fillcolor) !== null && luminance(b.fillcolor) > 0.95) b.fillcolor = "rgba(0,0,0,0)";
          return b;
        });
      }
    }
    if (s.touch) {
      out.dragmode = false;
      axes.forEach(function (k) { out[k] = Object.assign(copyOf(out[k]), { fixedrange: true }); });
      // a 3D scene turns under a finger: on touch it stays put and the page scrolls
      var scenes = Object.keys(out).filter(function (k) { return SCENE_RE.test(k); });
      if (scenes.indexOf("scene") < 0) scenes.push("scene");  // ignored by a 2D figure
      scenes.forEach(function (k) {
        out[k] = Object.assign(copyOf(out[k]), { dragmode: false });
      });
    }
    var panels = s.narrow ? stackedPanels(layout) : null;
    if (panels) stackPanels(out, layout, panels);
    if (s.narrow && titleLines(layout).length) {
      out.title = Object.assign(copyOf(out.title), { text: "", subtitle: { text: "" } });
      var margin = copyOf(out.margin);
      margin.t = 24;
      out.margin = margin;
    }
    return out;
  }

  // Near-black lines and markers drawn in the text colour in dark mode.
  function screenData(data, s) {
    if (!s.dark) return data;
    var ink = cssColour("--pst-color-text-base", "#ced6dd");
    return data.map(function (trace) {
      var t = Object.assign({}, trace);
      ["line", "marker"].forEach(function (k) {
        if (t[k] && typeof t[k] === "object" && tooDark(t[k].color)) {
          t[k] = Object.assign({}, t[k], { color: ink });
        }
      });
      if (t.textfont && tooDark(t.textfont.color)) t.textfont = Object.assign({}, t.textfont, { color: ink });
      return t;
    });
  }

  var GL3D_TYPES = { scatter3d: 1, surface: 1, mesh3d: 1, cone: 1, streamtube: 1, isosurface: 1, volume: 1 };

  // On touch, a 3D scene is drawn still: its camera takes every touch (even with
  // its dragmode off), so the page could not scroll past it. Its controls still work.
  function screenConfig(config, s, data) {
    var out = Object.assign({}, config);
    if (s.touch) {
      out.displayModeBar = false;
      if ((data || []).some(function (t) { return t && GL3D_TYPES[t.type]; })) out.staticPlot = true;
    }
    return out;
  }

  // A figure that cannot shrink (layout.meta.qlib.min_width, set by qlib's
  // `finish`) is drawn at that width in a box that scrolls sideways, with a cue.
  function minWidthOf(layout) {
    var q = layout && layout.meta && layout.meta.qlib;
    var w = q && q.min_width;
    return typeof w === "number" && isFinite(w) && w > 0 ? Math.min(w, 4000) : 0;
  }

  function fitWidth(div, layout) {
    var box = div.parentNode;
    if (!box || !box.classList || !box.classList.contains("qlib-explorable-scroll")) return;
    var w = minWidthOf(layout);
    if (!w && !box.classList.contains("qlib-scrolls")) return;  // no layout read for most figures
    var scrolls = w > 0 && box.clientWidth > 0 && box.clientWidth < w;
    div.style.minWidth = scrolls ? w + "px" : "";
    box.classList.toggle("qlib-scrolls", scrolls);
  }

  // Write the title's lines into `node` (text only) and name the figure by them.
  function showResult(node, lines) {
    while (node.firstChild) node.removeChild(node.firstChild);
    lines.forEach(function (line) {
      var span = document.createElement("span");
      span.className = "qlib-result-line";
      span.textContent = line;
      node.appendChild(span);
    });
  }

  // Plain figures (a chapter's fig.show(), drawn by their own inline script):
  // redrawn from their first drawing whenever the reader's screen changes.
  var plainFigures = [];

  function restylePlain(el, s) {
    if (!el.__qlibPlain) {
      if (!Array.isArray(el.data) || !el.layout) return;
      var result = document.createElement("p");
      result.className = "qlib-figure-result";
      result.id = (el.id || "qlib-figure-" + plainFigures.length) + "-result";
      el.parentNode.insertBefore(result, el);
      el.setAttribute("role", "img");
      el.setAttribute("aria-labelledby", result.id);
      el.__qlibPlain = {
        data: el.data.map(cloneTree), layout: cloneTree(el.layout), key: screenKey(screenNow()),
        result: result
      };
      plainFigures.push(el);
      var lines = titleLines(el.__qlibPlain.layout);
      showResult(result, lines.length ? lines : ["Figure"]);
      if (el.__qlibPlain.key === "lpw") return;  // drawn as it should be
      el.__qlibPlain.key = "";
    }
    var plain = el.__qlibPlain;
    var key = screenKey(s);
    if (key === plain.key) return;
    plain.key = key;
    Plotly.react(el, screenData(plain.data, s), screenLayout(plain.layout, s),
      screenConfig(BOOK_CONFIG, s, plain.data))
      .then(null, function (err) { console.error("qlib: redrawing a figure failed", err); });
  }

  function restyleAll() {
    var s = screenNow();
    document.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      if (el.closest(".qlib-explorable")) return;
      restylePlain(el, s);
    });
    instances.forEach(function (ex) { ex.restyle(s); });
  }

  function watchScreen() {
    if (typeof MutationObserver !== "undefined") {
      new MutationObserver(restyleAll).observe(document.documentElement,
        { attributes: true, attributeFilter: ["data-theme"] });
    }
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      if (resizeTimer !== null) clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { resizeTimer = null; restyleAll(); }, 150);
    });
    [NARROW_QUERY, TOUCH_QUERY].forEach(function (q) {
      if (!window.matchMedia) return;
      var mq = window.matchMedia(q);
      if (mq.addEventListener) mq.addEventListener("change", restyleAll);
    });
  }

  // ---------------------------------------------------------------- explorable
  function Explorable(el) {
    this.el = el;
    this.name = el.getAttribute("data-qlib-name") || "";
    var script = el.querySelector("script.qlib-explorable-data");
    this.payload = JSON.parse(script.textContent);
    this.controls = this.payload.controls || [];
    this.shape = this.payload.shape || [];
    this.state = this.controls.map(function (c) { return c.default; });
    this.figureDiv = el.querySelector(".qlib-explorable-figure");
    this.controlsDiv = el.querySelector(".qlib-explorable-controls");
    this.resultNode = el.querySelector(".qlib-explorable-result");
    // the figure in a box that can scroll sideways (see fitWidth), a cue after it
    var box = document.createElement("div");
    box.className = "qlib-explorable-scroll";
    this.figureDiv.parentNode.insertBefore(box, this.figureDiv);
    box.appendChild(this.figureDiv);
    var cue = document.createElement("p");
    cue.className = "qlib-scroll-cue";
    cue.setAttribute("aria-hidden", "true");
    cue.textContent = "Swipe sideways to see the whole figure \u2192";
    box.parentNode.insertBefore(cue, box.nextSibling);
    this.layout = null;
    this.screen = screenKey(screenNow());
    this.base = decodeTree(this.payload.base);
    this.leafCache = new Map();
    this.packed = null;
    this.ready = false;
    this.drawn = false;
    this.frame = null;
    this.dirty = false;
    this.shownFlat = null;
    this.queue = Promise.resolve();
    var self = this;
    this.inputs = this.controls.map(function (c) {
      var input = null;
      el.querySelectorAll("[data-qlib-control]").forEach(function (node) {
        if ((node.tagName === "INPUT" || node.tagName === "SELECT") &&
            node.getAttribute("data-qlib-control") === c.name) input = node;
      });
      return input;
    });
    this.inputs.forEach(function (input, i) {
      if (!input) return;
      var onChange = function () {
        var idx = parseInt(input.value, 10);
        if (!(idx >= 0 && idx < self.controls[i].text.length)) return;
        self.state[i] = idx;
        self.showReadout(i);
        self.scheduleRender();
        scheduleHashWrite();
      };
      input.addEventListener("input", onChange);
      input.addEventListener("change", onChange);
    });
  }

  Explorable.prototype.start = function () {
    var self = this;
    this.applyHash(parseHash());
    var hasGrid = this.controls.length > 0;
    if (!hasGrid || typeof DecompressionStream === "undefined") {
      // No controls, or a browser that cannot inflate: the default figure only.
      if (hasGrid) this.state = this.controls.map(function (c) { return c.default; });
      return this.render(true);
    }
    return inflate(this.payload.z).then(function (packed) {
      self.packed = packed;
      self.ready = true;
      self.syncInputs();
      return self.render(true);
    }).then(function () {
      if (self.controlsDiv) self.controlsDiv.hidden = false;
    });
  };

  Explorable.prototype.flatIndex = function () {
    var flat = 0;
    for (var i = 0; i < this.shape.length; i++) flat = flat * this.shape[i] + this.state[i];
    return flat;
  };

  Explorable.prototype.leaf = function (i) {
    if (!this.leafCache.has(i)) this.leafCache.set(i, decodeTree(this.packed.leaves[i]));
    return this.leafCache.get(i);
  };

  Explorable.prototype.figureAt = function (flat) {
    var fig = cloneTree(this.base);
    var patch = this.packed ? this.packed.patches[flat] || [] : [];
    for (var j = 0; j + 1 < patch.length; j += 2) {
      var path = this.packed.paths[patch[j]];
      if (patch[j + 1] < 0) deletePath(fig, path);
      else setPath(fig, path, cloneTree(this.leaf(patch[j + 1])));
    }
    fig.data = fig.data || [];
    fig.layout = fig.layout || {};
    if (fig.layout.uirevision === undefined) fig.layout.uirevision = "qlib";
    return fig;
  };

  Explorable.prototype.render = function (first) {
    var self = this;
    var flat = this.packed ? this.flatIndex() : -1;
    this.shownFlat = flat;
    var fig = this.figureAt(flat < 0 ? 0 : flat);
    var s = screenNow();
    this.screen = screenKey(s);
    if (this.resultNode) showResult(this.resultNode, titleLines(fig.layout));
    var layout = screenLayout(fig.layout, s);
    this.layout = fig.layout;
    fitWidth(this.figureDiv, fig.layout);
    var data = screenData(fig.data, s);
    var config = screenConfig(Object.assign({ responsive: true }, this.payload.config || {}), s, data);
    var react = this.drawn;
    this.drawn = true;
    // A responsive plot fills its div, so the div needs the figure's height.
    var height = typeof layout.height === "number" ? layout.height : 450;
    this.figureDiv.style.height = height + "px";
    this.queue = this.queue.then(function () {
      return react ? Plotly.react(self.figureDiv, data, layout, config)
        : Plotly.newPlot(self.figureDiv, data, layout, config);
    }).then(function () {
      self.el.setAttribute("data-qlib-index", String(flat < 0 ? self.defaultFlat() : flat));
      if (first) self.el.setAttribute("data-qlib-ready", "true");
    }, function (err) {
      console.error("qlib explorable " + self.name + ": drawing failed", err);
    });
    return this.queue;
  };

  // Redraw the setting on screen for a changed screen (theme, touch, width).
  Explorable.prototype.restyle = function (s) {
    if (!this.drawn) return;
    if (screenKey(s) !== this.screen) this.render(false);
    else if (this.layout) fitWidth(this.figureDiv, this.layout);
  };

  Explorable.prototype.defaultFlat = function () {
    var flat = 0;
    for (var i = 0; i < this.shape.length; i++) flat = flat * this.shape[i] + this.controls[i].default;
    return flat;
  };

  // Coalescing: the first change in a frame is drawn at once, inside the event
  // (a drag's input arrives at the start of a frame, so its drawing is painted in
  // that frame); later changes in the same frame wait for the next one, where the
  // latest setting alone is drawn. A setting already on screen is not redrawn.
  Explorable.prototype.scheduleRender = function () {
    if (!this.ready) return;
    if (this.frame !== null) {
      this.dirty = true;
      return;
    }
    var self = this;
    this.dirty = false;
    if (this.flatIndex() !== this.shownFlat) this.render(false);
    this.frame = window.requestAnimationFrame(function () {
      self.frame = null;
      if (self.dirty) self.scheduleRender();
    });
  };

  Explorable.prototype.showReadout = function (i) {
    var c = this.controls[i];
    var input = this.inputs[i];
    if (!input) return;
    var text = c.text[this.state[i]];
    if (c.kind === "slider") {
      input.setAttribute("aria-valuetext", text);
      var out = input.parentNode.querySelector("output.qlib-control-value");
      if (out) out.textContent = text;
    }
  };

  Explorable.prototype.syncInputs = function () {
    for (var i = 0; i < this.controls.length; i++) {
      if (this.inputs[i]) this.inputs[i].value = String(this.state[i]);
      this.showReadout(i);
    }
  };

  // Set the state from the parsed hash: controls named there take the value
  // if it is on the grid, all others return to their defaults.
  Explorable.prototype.applyHash = function (parsed) {
    var wanted = parsed.get(this.name);
    var next = this.controls.map(function (c) {
      var raw = wanted ? wanted.get(c.name) : undefined;
      if (typeof raw !== "string") return c.default;
      if (c.kind === "slider") {
        if (!NUMBER_RE.test(raw)) return c.default;
        var v = Number(raw);
        var step = c.values.length > 1 ? Math.abs(c.values[1] - c.values[0]) : 1;
        for (var i = 0; i < c.values.length; i++) {
          if (Math.abs(c.values[i] - v) <= 1e-6 * step) return i;
        }
        return c.default;
      }
      var k = c.text.indexOf(raw);
      return k >= 0 ? k : c.default;
    });
    var changed = next.some(function (v, i) { return v !== this.state[i]; }, this);
    this.state = next;
    return changed;
  };

  // ---------------------------------------------------------------- start
  function init() {
    if (typeof Plotly === "undefined") {
      console.error("qlib explorables: plotly.js is not loaded on this page");
      return;
    }
    var first = null;
    var parsed = parseHash();
    document.querySelectorAll(".qlib-explorable").forEach(function (el) {
      if (el.__qlibExplorable) return;
      var ex;
      try {
        ex = new Explorable(el);
      } catch (err) {
        console.error("qlib explorable: bad payload", err);
        return;
      }
      el.__qlibExplorable = ex;
      instances.push(ex);
      if (first === null && parsed.has(ex.name)) first = el;
      ex.start();
    });
    if (first !== null && typeof first.scrollIntoView === "function") {
      first.scrollIntoView({ block: "center" });
    }
    watchScreen();
    // plain figures are drawn by inline scripts that have run by now
    restyleAll();
    window.addEventListener("load", restyleAll);
    window.addEventListener("hashchange", function () {
      var parsedNow = parseHash();
      instances.forEach(function (ex) {
        if (!ex.ready) return;
        if (ex.applyHash(parsedNow)) {
          ex.syncInputs();
          ex.scheduleRender();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
