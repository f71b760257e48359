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
    var config = Object.assign({ responsive: true }, this.payload.config || {});
    var react = this.drawn;
    this.drawn = true;
    // A responsive plot fills its div, so the div needs the figure's height.
    var height = typeof fig.layout.height === "number" ? fig.layout.height : 450;
    this.figureDiv.style.height = height + "px";
    this.queue = this.queue.then(function () {
      return react ? Plotly.react(self.figureDiv, fig.data, fig.layout, config)
        : Plotly.newPlot(self.figureDiv, fig.data, fig.layout, config);
    }).then(function () {
      self.el.setAttribute("data-qlib-index", String(flat < 0 ? self.defaultFlat() : flat));
      if (first) self.el.setAttribute("data-qlib-ready", "true");
    }, function (err) {
      console.error("qlib explorable " + self.name + ": drawing failed", err);
    });
    return this.queue;
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
