/* 在线填写: builds the case form from the data the build put into the page (the case
 * schema, the unit registry, the themes, the case ids in use and check's own messages),
 * validates as the user types, previews the case and writes its YAML file.
 * Nothing here sends a request: the page works from a static intranet site. */
(function () {
  "use strict";

  // Loaded on every page (mkdocs.yml extra_javascript); only the form page has #dj-form.
  const here = document.currentScript ? document.currentScript.src : location.href;
  const root = document.getElementById("dj-form");
  if (!root) return;
  // The page's data is a generated script next to the page (form/data.js), so the
  // form also works from a folder opened with file://, where fetch() is refused.
  const loader = document.createElement("script");
  loader.src = root.getAttribute("data-src");
  loader.onload = () => main(window.djFormData);
  loader.onerror = () => {
    root.querySelector(".dj-form__noscript").textContent = "表单数据没有载入：请刷新页面重试。";
  };
  document.head.append(loader);

  // js-yaml (vendored) is needed only to open an existing file: loaded on first use.
  let yamlLibrary = null;
  function jsYaml() {
    if (window.jsyaml) return Promise.resolve(window.jsyaml);
    yamlLibrary = yamlLibrary || new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = new URL("vendor/js-yaml.min.js", here).href;
      s.onload = () => resolve(window.jsyaml);
      s.onerror = () => reject(new Error("js-yaml did not load"));
      document.head.append(s);
    });
    return yamlLibrary;
  }

  function main(D) {
    const M = D.messages;
    const SLUG = new RegExp(D.slug);
    const PLACEHOLDER = new RegExp(D.placeholder);
    const LONG = 60; // strings longer than this (or with line breaks) become block scalars
    const IMAGE_FIELDS = new Set(["logo", "file"]);
    const KNOWN = new Set(D.known_keys);
    // A line YAML's reader or check's line-level traps would take for a key (see load.py).
    const KEYLIKE = /^(?:-[ ]+)?[A-Za-z_]+[ ]*(?:：|:(?=[^\s:/]))/;

    // -- small helpers ---------------------------------------------------------------

    /** cyrb53 (53-bit string hash) in base 36; dangjian/form.py computes the same. */
    function idHash(str) {
      let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
      for (let i = 0; i < str.length; i++) {
        const ch = str.charCodeAt(i);
        h1 = Math.imul(h1 ^ ch, 2654435761);
        h2 = Math.imul(h2 ^ ch, 1597334677);
      }
      h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
      h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
      h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
      h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
      return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
    }

    const fmt = (t, vals) => t.replace(/\{(\w+)\}/g, (m, k) => (k in vals ? String(vals[k]) : m));
    const len = (s) => Array.from(s).length;
    const blank = (s) => typeof s !== "string" || s.trim() === "";
    const unitById = (id) => D.units.find((u) => u.id === id);

    function h(tag, attrs, ...kids) {
      const el = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs || {})) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "text") el.textContent = v;
        else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : v);
      }
      el.append(...flat(kids));
      return el;
    }

    const flat = (kids) => kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false);

    const put = (el, ...kids) => el.append(...flat(kids));

    /** Replace an element's children; arrays are flattened, nulls skipped. */
    function fill(el, ...kids) {
      el.replaceChildren(...flat(kids));
      return el;
    }

    function fieldPath(path) {
      let out = "";
      for (const step of path) out += typeof step === "number" ? `[${step}]` : out ? `.${step}` : step;
      return out;
    }

    // -- difflib.get_close_matches, as check uses it for "是不是……？" ---------------------

    function matches(a, b) {
      a = Array.from(a);
      b = Array.from(b);
      const b2j = new Map();
      b.forEach((ch, j) => (b2j.get(ch) || b2j.set(ch, []).get(ch)).push(j));
      if (b.length >= 200) {
        const ntest = Math.floor(b.length / 100) + 1;
        for (const [ch, idx] of [...b2j]) if (idx.length > ntest) b2j.delete(ch);
      }
      function longest(alo, ahi, blo, bhi) {
        let bi = alo, bj = blo, size = 0, j2len = new Map();
        for (let i = alo; i < ahi; i++) {
          const next = new Map();
          for (const j of b2j.get(a[i]) || []) {
            if (j < blo) continue;
            if (j >= bhi) break;
            const k = (j2len.get(j - 1) || 0) + 1;
            next.set(j, k);
            if (k > size) { bi = i - k + 1; bj = j - k + 1; size = k; }
          }
          j2len = next;
        }
        while (bi > alo && bj > blo && a[bi - 1] === b[bj - 1]) { bi--; bj--; size++; }
        while (bi + size < ahi && bj + size < bhi && a[bi + size] === b[bj + size]) size++;
        return [bi, bj, size];
      }
      let total = 0;
      const queue = [[0, a.length, 0, b.length]];
      while (queue.length) {
        const [alo, ahi, blo, bhi] = queue.pop();
        const [i, j, k] = longest(alo, ahi, blo, bhi);
        if (k) {
          total += k;
          if (alo < i && blo < j) queue.push([alo, i, blo, j]);
          if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
        }
      }
      return [total, a.length + b.length];
    }

    function closeMatch(word, possibilities, cutoff) {
      let best = null;
      for (const x of possibilities) {
        const [m, t] = matches(x, word);
        const score = t ? (2 * m) / t : 1;
        if (score >= cutoff && (!best || score > best[0] || (score === best[0] && x > best[1]))) best = [score, x];
      }
      return best && best[1];
    }

    // -- form state <-> case data ------------------------------------------------------

    const LISTS_START = { practices: [{}], holders: [""], commitments: [""] };

    function emptyState() {
      const fields = {};
      for (const kind of Object.keys(D.schemas)) {
        for (const [k, s] of Object.entries(D.schemas[kind].properties)) {
          if (k in fields) continue;
          if (s.type === "array") fields[k] = k === "themes" ? [] : JSON.parse(JSON.stringify(LISTS_START[k] || []));
          else fields[k] = "";
        }
      }
      return { kind: "brand", unit: "", id: "", fields, extra: {}, editing: null };
    }

    function toInt(raw) {
      const t = raw.normalize("NFKC").trim();
      return /^[-+]?\d+$/.test(t) ? parseInt(t, 10) : raw;
    }

    function toNumber(raw) {
      const t = raw.normalize("NFKC").trim();
      return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : raw;
    }

    function valueOf(s, raw) {
      if (s.type === "array") {
        const items = (raw || [])
          .map((item) => (s.items.type === "object" ? objectOf(s.items, item) : blank(item) ? undefined : item))
          .filter((x) => x !== undefined);
        return items.length ? items : undefined;
      }
      if (blank(raw)) return undefined;
      if (s.type === "integer") return toInt(raw);
      if (s.type === "number") return toNumber(raw);
      return raw;
    }

    function objectOf(s, item) {
      const out = {};
      for (const [k, sub] of Object.entries(s.properties)) {
        const v = valueOf(sub, (item || {})[k]);
        if (v !== undefined) out[k] = v;
      }
      return Object.keys(out).length ? out : undefined;
    }

    /** The case data the form state stands for, in the schema's field order. */
    function caseData(st) {
      const out = { kind: st.kind };
      for (const [k, s] of Object.entries(D.schemas[st.kind].properties)) {
        if (k === "kind") continue;
        const v = valueOf(s, st.fields[k]);
        if (v !== undefined) out[k] = v;
      }
      for (const [k, v] of Object.entries(st.extra || {})) if (!(k in out)) out[k] = v;
      return out;
    }

    const text = (v) => (v === null || v === undefined ? "" : v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

    /** A form state from case data (an opened file): every value as the form shows it. */
    function stateFrom(data) {
      const st = emptyState();
      st.kind = data.kind === "post" ? "post" : "brand";
      const props = D.schemas[st.kind].properties;
      for (const [k, v] of Object.entries(data)) {
        const s = props[k];
        if (k === "kind") continue;
        if (!s || (s.type === "array" && !Array.isArray(v)) || (s.type !== "array" && typeof v === "object" && v !== null && !(v instanceof Date))) {
          st.extra[k] = v;
          continue;
        }
        if (s.type !== "array") st.fields[k] = text(v);
        else if (s.items.type === "object") {
          st.fields[k] = v.map((item) => {
            const o = {};
            for (const sub of Object.keys(s.items.properties)) if (item && typeof item === "object" && sub in item) o[sub] = text(item[sub]);
            return o;
          });
        } else st.fields[k] = v.map(text);
      }
      return st;
    }

    // -- YAML out -----------------------------------------------------------------------

    const NEEDS_ESCAPE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/;

    function doubleQuoted(s) {
      let out = '"';
      for (const ch of s) {
        const c = ch.codePointAt(0);
        if (ch === "\\") out += "\\\\";
        else if (ch === '"') out += '\\"';
        else if (ch === "\n") out += "\\n";
        else if (ch === "\t") out += "\\t";
        else if (ch === "\r") out += "\\r";
        else if (c === 0x85) out += "\\N";
        else if (c === 0x2028) out += "\\L";
        else if (c === 0x2029) out += "\\P";
        else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += "\\x" + c.toString(16).padStart(2, "0");
        else if (c === 0xfeff || c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff)) out += "\\u" + c.toString(16).padStart(4, "0");
        else out += ch;
      }
      return out + '"';
    }

    // Plain (unquoted) only where YAML 1.1 cannot read anything but this text: no
    // yes/no/on/off, numbers, dates, times (12:30), octals (010) or indicator characters.
    function plainOk(s) {
      if (s === "" || /^\s|\s$/.test(s) || /[:#\t\n]/.test(s)) return false;
      if (/^[-?,[\]{}&*!|>'"%@`<=~.+0-9]/.test(s)) return false;
      if (/^(y|n|yes|no|true|false|on|off|null)$/i.test(s)) return false;
      return !KEYLIKE.test(s);
    }

    // A literal block (|) keeps text exactly, unless a line would look like YAML
    // syntax or one of check's traps (a leading tab or full-width space, "key：").
    function blockOk(s) {
      if (s.startsWith("\n") || s.endsWith("\n\n")) return false;
      const body = s.endsWith("\n") ? s.slice(0, -1) : s;
      return body.split("\n").every((l) => l === "" || (!/^[\s\u3000]/.test(l) && !KEYLIKE.test(l)));
    }

    function yamlNumber(v) {
      let s = String(v);
      if (Number.isInteger(v) && Math.abs(v) >= 2 ** 53) s = v.toExponential();
      if (s.includes("e")) {
        let [m, e] = s.split("e");
        if (!m.includes(".")) m += ".0";
        if (!/^[-+]/.test(e)) e = "+" + e;
        s = `${m}e${e}`;
      }
      return s;
    }

    function scalar(v) {
      if (v === null) return { text: "null" };
      if (typeof v === "boolean") return { text: String(v) };
      if (typeof v === "number") return { text: yamlNumber(v) };
      const s = text(v);
      if (!NEEDS_ESCAPE.test(s)) {
        if ((s.includes("\n") || len(s) > LONG) && blockOk(s)) {
          const clip = s.endsWith("\n");
          return { header: clip ? "|" : "|-", lines: (clip ? s.slice(0, -1) : s).split("\n") };
        }
        if (plainOk(s)) return { text: s };
      }
      return { text: doubleQuoted(s) };
    }

    function scalarInto(lines, head, v, indent) {
      const s = scalar(v);
      if (!s.lines) return void lines.push(head + s.text);
      lines.push(head + s.header);
      for (const l of s.lines) lines.push(l === "" ? "" : " ".repeat(indent) + l);
    }

    const yamlKey = (k) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : doubleQuoted(k));

    function emitKey(lines, first, key, v, col) {
      const head = first + yamlKey(key) + ":";
      if (Array.isArray(v)) {
        if (!v.length) return void lines.push(head + " []");
        lines.push(head);
        for (const item of v) emitItem(lines, item, col + 2);
      } else if (v && typeof v === "object" && !(v instanceof Date)) {
        const keys = Object.keys(v);
        if (!keys.length) return void lines.push(head + " {}");
        lines.push(head);
        for (const k of keys) emitKey(lines, " ".repeat(col + 2), k, v[k], col + 2);
      } else scalarInto(lines, head + " ", v, col + 2);
    }

    function emitItem(lines, item, col) {
      const pad = " ".repeat(col);
      if (Array.isArray(item)) {
        if (!item.length) return void lines.push(pad + "- []");
        lines.push(pad + "-");
        for (const x of item) emitItem(lines, x, col + 2);
      } else if (item && typeof item === "object" && !(item instanceof Date)) {
        const keys = Object.keys(item);
        if (!keys.length) return void lines.push(pad + "- {}");
        keys.forEach((k, i) => emitKey(lines, i === 0 ? pad + "- " : " ".repeat(col + 2), k, item[k], col + 2));
      } else scalarInto(lines, pad + "- ", item, col + 2);
    }

    /** The case file: the editor's schema line, a comment naming the unit, the fields. */
    function toYaml(data, unitId) {
      const unit = unitById(unitId);
      const oneLine = (s) => s.replace(/[\r\n\u0085\u2028\u2029]/g, " ");
      const lines = [D.schema_line, `# ${D.kinds[data.kind] || "案例"}${unit ? oneLine(`：${unit.name}（单位编号 ${unit.id}）`) : ""}`, ""];
      for (const [k, v] of Object.entries(data)) if (v !== undefined) emitKey(lines, "", k, v, 0);
      return lines.join("\n") + "\n";
    }

    // -- validation, in check's words ---------------------------------------------------

    const label = (s, key) => (s.properties[key] && s.properties[key].title ? `${s.properties[key].title}(${key})` : key);

    function checkValue(s, v, path, errs) {
      const at = fieldPath(path);
      if (typeof v === "string" && PLACEHOLDER.test(v)) {
        errs.push({ at, message: fmt(M.placeholder, { value: v.match(PLACEHOLDER)[0] }) });
        return;
      }
      if (s.type === "string" && typeof v === "string") {
        const n = len(v);
        if (s.minLength && n < s.minLength) errs.push({ at, message: v.trim() === "" ? M.empty : fmt(M.short, { min: s.minLength, len: n }) });
        if (s.maxLength && n > s.maxLength) errs.push({ at, message: fmt(M.long, { max: s.maxLength, len: n }) });
      } else if (s.type === "integer") {
        if (typeof v !== "number" || !Number.isInteger(v)) errs.push({ at, message: M.integer });
        else if (v < s.minimum || v > s.maximum) errs.push({ at, message: fmt(M.year, { value: v }) });
      } else if (s.type === "number") {
        if (typeof v !== "number" || !Number.isFinite(v)) errs.push({ at, message: M.number });
      } else if (s.type === "array" && Array.isArray(v)) {
        if (s.minItems && v.length < s.minItems) errs.push({ at, message: fmt(M.few, { min: s.minItems }) });
        v.forEach((item, i) => checkValue(s.items, item, path.concat(i), errs));
      } else if (s.type === "object" && v && typeof v === "object") {
        for (const req of s.required || []) if (!(req in v)) errs.push({ at: fieldPath(path.concat(req)), message: fmt(M.missing, { label: label(s, req) }), missing: true });
        for (const [k, sub] of Object.entries(s.properties)) if (k in v) checkValue(sub, v[k], path.concat(k), errs);
      }
    }

    function validate(st, data) {
      const errs = [];
      if (!st.unit) errs.push({ at: "@unit", message: "请选择本单位：案例文件要放在本单位的文件夹里。", missing: true });
      if (blank(st.id)) errs.push({ at: "@id", message: "请填写案例编号：它就是文件名，例如 hongse-yinqing。", missing: true });
      else if (!SLUG.test(st.id)) errs.push({ at: "@id", message: fmt(M.bad_id, { value: st.id }) });
      else if (caseOf(st.id) && !(st.editing && st.editing.id === st.id && st.unit === caseOf(st.id).unit)) {
        errs.push({ at: "@id", message: fmt(M.duplicate, { id: st.id, others: caseOf(st.id).file }) });
      }
      checkValue(D.schemas[st.kind], data, [], errs);
      (Array.isArray(data.themes) ? data.themes : []).forEach((theme, i) => {
        if (typeof theme !== "string" || D.themes.includes(theme) || PLACEHOLDER.test(theme)) return;
        const guess = closeMatch(theme, D.themes, 0.5);
        errs.push({ at: `themes[${i}]`, message: fmt(M.theme, { theme, hint: guess ? fmt(M.theme_hint, { guess }) : "" }) });
      });
      return errs;
    }

    // -- the page -------------------------------------------------------------------------

    let state = emptyState();
    let attempted = false;
    const touched = new Set();
    let lastErrors = [];

    function saveDraft() {
      try {
        localStorage.setItem(D.draft_key, JSON.stringify({ state, touched: [...touched] }));
      } catch (e) { /* storage off (private window): the form still works, only without a draft */ }
    }

    function loadDraft() {
      try {
        const saved = JSON.parse(localStorage.getItem(D.draft_key) || "null");
        if (!saved || !saved.state || !saved.state.fields) return false;
        state = Object.assign(emptyState(), saved.state);
        state.fields = Object.assign(emptyState().fields, saved.state.fields);
        (saved.touched || []).forEach((t) => touched.add(t));
        return true;
      } catch (e) {
        return false;
      }
    }

    function getAt(path) {
      let node = state.fields;
      for (const step of path.slice(0, -1)) node = node[step];
      return node[path[path.length - 1]];
    }

    function setAt(path, value) {
      let node = state.fields;
      for (const step of path.slice(0, -1)) {
        if (node[step] === undefined) node[step] = typeof step === "number" ? {} : [];
        node = node[step];
      }
      node[path[path.length - 1]] = value;
    }

    const sr = (t) => h("span", { class: "dj-sr", text: t });
    const badge = (required) => h("span", { class: required ? "dj-req" : "dj-opt", "aria-hidden": "true", text: required ? "必填" : "选填" });
    const errorBox = (at) => h("div", { class: "dj-field__error", "data-error-for": at, "aria-live": "polite" });

    function control(s, path, name, id) {
      const at = fieldPath(path);
      const value = getAt(path) || "";
      const attrs = { id, name: at, "data-path": at, "aria-describedby": `${id}-help`, value: undefined };
      const onInput = (e) => { setAt(path, e.target.value); refresh(); };
      const onBlur = () => { touched.add(at); refresh(); };
      if (s.enum) {
        const words = { published: "发布（published）", draft: "草稿（draft，不在网站和汇编中出现）" };
        const sel = h("select", Object.assign(attrs, { onchange: onInput }),
          h("option", { value: "", text: "发布（默认，不写入文件）" }),
          s.enum.map((v) => h("option", { value: v, text: words[v] || v })));
        sel.value = value;
        return sel;
      }
      const multi = s.type === "string" && !s.maxLength && !IMAGE_FIELDS.has(name);
      const el = multi
        ? h("textarea", Object.assign(attrs, { rows: 5, oninput: onInput, onblur: onBlur }))
        : h("input", Object.assign(attrs, {
            type: "text", oninput: onInput, onblur: onBlur,
            inputmode: s.type === "integer" || s.type === "number" ? "decimal" : undefined,
            placeholder: IMAGE_FIELDS.has(name) ? "images/文件名.jpg" : s.type === "integer" ? `例如 ${D.year}` : undefined,
          }));
      el.value = value;
      if (!IMAGE_FIELDS.has(name)) return el;
      const picker = h("input", {
        type: "file", accept: "image/jpeg,image/png,image/webp", class: "dj-sr", id: `${id}-pick`,
        onchange: (e) => {
          const file = e.target.files[0];
          if (!file) return;
          setAt(path, `images/${file.name}`);
          el.value = `images/${file.name}`;
          touched.add(at);
          refresh();
        },
      });
      return h("span", { class: "dj-field__image" }, el, picker,
        h("label", { for: `${id}-pick`, class: "md-button dj-button--small", text: "选择图片…" }));
    }

    function field(s, path, required, prefix) {
      const name = path[path.length - 1];
      const at = fieldPath(path);
      const id = "dj-f-" + at.replace(/[^a-z0-9]+/gi, "-");
      return h("div", { class: "dj-field", "data-field": at },
        h("div", { class: "dj-field__head" }, h("label", { for: id, class: "dj-field__label" }, prefix ? sr(prefix) : null, s.title), badge(required)),
        h("p", { class: "dj-field__help", id: `${id}-help`, text: s.description || "" }),
        control(s, path, name, id),
        errorBox(at));
    }

    function moveButtons(list, i, what, rerender) {
      const move = (to) => () => {
        const [item] = list.splice(i, 1);
        if (to !== null) list.splice(to, 0, item);
        rerender();
        refresh();
      };
      return h("span", { class: "dj-item__tools" },
        h("button", { type: "button", class: "dj-icon", "aria-label": `上移${what}`, title: "上移", disabled: i === 0, onclick: move(i - 1), text: "↑" }),
        h("button", { type: "button", class: "dj-icon", "aria-label": `下移${what}`, title: "下移", disabled: i === list.length - 1, onclick: move(i + 1), text: "↓" }),
        h("button", { type: "button", class: "dj-icon dj-icon--del", "aria-label": `删除${what}`, title: "删除", onclick: move(null), text: "删除" }));
    }

    function listField(k, s, required) {
      const box = h("fieldset", { class: "dj-field dj-list", "data-field": k });
      const rerender = () => box.replaceWith(listField(k, s, required));
      const list = state.fields[k];
      put(box, h("legend", { class: "dj-field__label" }, s.title, badge(required)),
        h("p", { class: "dj-field__help", text: s.description || "" }));
      list.forEach((item, i) => {
        const what = `${s.title} 第${i + 1}项`;
        if (s.items.type === "object") {
          put(box, h("fieldset", { class: "dj-item" },
            h("legend", { class: "dj-item__legend" }, what, moveButtons(list, i, what, rerender)),
            Object.entries(s.items.properties).map(([sub, ss]) =>
              field(ss, [k, i, sub], (s.items.required || []).includes(sub), `${what} `))));
        } else {
          const at = `${k}[${i}]`;
          const id = `dj-f-${k}-${i}`;
          const input = h("input", {
            type: "text", id, "data-path": at,
            oninput: (e) => { list[i] = e.target.value; refresh(); },
            onblur: () => { touched.add(at); refresh(); },
          });
          input.value = item;
          put(box, h("div", { class: "dj-item dj-item--line", "data-field": at },
            h("label", { for: id, class: "dj-item__legend" }, sr(`${s.title} `), `第${i + 1}项`),
            input, moveButtons(list, i, what, rerender), errorBox(at)));
        }
      });
      put(box, h("button", {
        type: "button", class: "md-button dj-button--small", text: `添加一项${s.title}`,
        onclick: () => {
          list.push(s.items.type === "object" ? {} : "");
          rerender();
          refresh();
          const inputs = document.querySelectorAll(`[data-field="${k}"] input, [data-field="${k}"] textarea`);
          if (inputs.length) inputs[inputs.length - (s.items.type === "object" ? Object.keys(s.items.properties).length : 1)].focus();
        },
      }), errorBox(k));
      return box;
    }

    function themesField(s) {
      const chosen = state.fields.themes;
      const box = h("fieldset", { class: "dj-field dj-themes", "data-field": "themes" });
      const rerender = () => { box.replaceWith(themesField(s)); refresh(); };
      const add = (t) => {
        t = t.trim();
        if (t && !chosen.includes(t)) chosen.push(t);
        touched.add("themes");
        rerender();
        document.getElementById("dj-theme-input").focus();
      };
      const input = h("input", {
        type: "text", id: "dj-theme-input", list: "dj-theme-list", autocomplete: "off",
        onkeydown: (e) => { if (e.key === "Enter") { e.preventDefault(); add(e.target.value); } },
      });
      put(box, 
        h("legend", { class: "dj-field__label" }, s.title, badge(true)),
        h("p", { class: "dj-field__help", text: `${(s.description || "").split("，")[0]}：点选一个或几个；也可以在下面输入后按回车。` }),
        h("div", { class: "dj-chips" }, D.themes.map((t) => h("button", {
          type: "button", class: "dj-chip", "aria-pressed": chosen.includes(t) ? "true" : "false", text: t,
          onclick: () => { const i = chosen.indexOf(t); if (i >= 0) chosen.splice(i, 1); else chosen.push(t); touched.add("themes"); rerender(); },
        }))),
        chosen.filter((t) => !D.themes.includes(t)).map((t) => h("span", { class: "dj-chip dj-chip--bad" }, t,
          h("button", { type: "button", class: "dj-icon", "aria-label": `删除主题${t}`, text: "×", onclick: () => { chosen.splice(chosen.indexOf(t), 1); rerender(); } }))),
        h("div", { class: "dj-themes__add" },
          h("label", { for: "dj-theme-input", text: "输入主题" }), input,
          h("button", { type: "button", class: "md-button dj-button--small", text: "添加", onclick: () => add(input.value) }),
          h("datalist", { id: "dj-theme-list" }, D.themes.map((t) => h("option", { value: t })))),
        errorBox("themes"));
      return box;
    }

    // -- unit, branch, id -----------------------------------------------------------------

    function unitMatches(u, q) {
      if (!q) return true;
      q = q.toLowerCase();
      return [u.name, u.id, u.org, ...(u.aliases || [])].some((s) => String(s).toLowerCase().includes(q));
    }

    function whereBox() {
      const search = h("input", { type: "search", id: "dj-unit-search", autocomplete: "off", placeholder: "输入单位全称、简称或编号" });
      const select = h("select", { id: "dj-unit", size: 6, "aria-describedby": "dj-unit-help" },
        D.units.map((u) => h("option", {
          value: u.id,
          text: `${u.name}（${u.id}）${u.aliases && u.aliases.length ? "　又称 " + u.aliases.join("、") : ""}${u.active ? "" : "（已停用）"}`,
        })));
      select.value = state.unit;
      search.addEventListener("input", () => {
        let first = null;
        for (const opt of select.options) {
          opt.hidden = !unitMatches(unitById(opt.value), search.value.trim());
          if (!opt.hidden && !first) first = opt;
        }
      });
      const branch = h("select", { id: "dj-branch", "aria-describedby": "dj-branch-help" });
      const fillBranches = () => {
        const u = unitById(state.unit);
        fill(branch, h("option", { value: "", text: u ? `不填：属于${u.org}` : "请先选择单位" }),
          (u ? u.branches : []).map((b) => h("option", { value: b.id, text: `${b.name}（${b.id}）` })));
        if (state.fields.branch && !(u && u.branches.some((b) => b.id === state.fields.branch))) {
          branch.append(h("option", { value: state.fields.branch, text: `${state.fields.branch}（不是本单位的支部）` }));
        }
        branch.value = state.fields.branch || "";
        branch.disabled = !u || (!u.branches.length && !state.fields.branch);
      };
      select.addEventListener("change", () => {
        state.unit = select.value;
        const u = unitById(state.unit);
        if (state.fields.branch && !u.branches.some((b) => b.id === state.fields.branch)) state.fields.branch = "";
        touched.add("@unit");
        fillBranches();
        refresh();
      });
      branch.addEventListener("change", () => { state.fields.branch = branch.value; refresh(); });
      fillBranches();
      const id = h("input", {
        type: "text", id: "dj-id", autocomplete: "off", spellcheck: "false", "aria-describedby": "dj-id-help", placeholder: "例如 hongse-yinqing",
        oninput: (e) => { state.id = e.target.value; refresh(); },
        onblur: () => { touched.add("@id"); refresh(); },
      });
      id.value = state.id;
      const branchSchema = D.schemas[state.kind].properties.branch;
      return h("fieldset", { class: "dj-form__where" },
        h("legend", { text: "单位与编号" }),
        h("div", { class: "dj-field", "data-field": "@unit" },
          h("div", { class: "dj-field__head" }, h("label", { for: "dj-unit-search", class: "dj-field__label", text: "查找单位" })), search,
          h("div", { class: "dj-field__head" }, h("label", { for: "dj-unit", class: "dj-field__label", text: "本单位" }), badge(true)),
          h("p", { class: "dj-field__help", id: "dj-unit-help", text: "在上面输入名称或简称（如 发改局）筛选，再点选本单位。" }),
          select, errorBox("@unit")),
        h("div", { class: "dj-field", "data-field": "branch" },
          h("div", { class: "dj-field__head" }, h("label", { for: "dj-branch", class: "dj-field__label", text: branchSchema.title }), badge(false)),
          h("p", { class: "dj-field__help", id: "dj-branch-help", text: "案例属于本单位下设的哪个党支部；不选表示属于本单位直属党组织。" }),
          branch, errorBox("branch")),
        h("div", { class: "dj-field", "data-field": "@id" },
          h("div", { class: "dj-field__head" }, h("label", { for: "dj-id", class: "dj-field__label", text: "案例编号" }), badge(true)),
          h("p", { class: "dj-field__help", id: "dj-id-help", text: "案例编号就是文件名：只用小写字母、数字和连字符「-」，例如 hongse-yinqing（可用名称的拼音）。整个案例库中不能重复。" }),
          id, errorBox("@id")));
    }

    // -- preview ------------------------------------------------------------------------

    function prose(t) {
      if (blank(t)) return h("p", { class: "dj-empty", text: "（未填写）" });
      return h("div", { class: "dj-prose" }, String(t).split(/\n\s*\n/).map((p) => h("p", { text: p.trim() })));
    }

    function preview(data) {
      const u = unitById(state.unit);
      const br = u && data.branch ? u.branches.find((b) => b.id === data.branch) : null;
      const str = (v) => (typeof v === "string" ? v : "");
      const year = typeof data.year === "number" ? `${data.year} 年` : "（未填写）";
      const facts = h("dl", { class: "dj-facts" },
        h("dt", { text: "单位" }), h("dd", { text: u ? u.name : "（未选择）" }),
        h("dt", { text: "党组织" }), h("dd", { text: br ? br.name : u ? u.org : "（未选择）" }),
        h("dt", { text: data.kind === "brand" ? "创建年份" : "命名年份" }), h("dd", { text: year }),
        h("dt", { text: "主题" }), h("dd", { text: (data.themes || []).join("、") || "（未选择）" }));
      const heading = (t) => h("p", { class: "dj-preview__h2", text: t });
      const out = [h("p", { class: "dj-preview__h1", text: str(data.title) || (data.kind === "brand" ? "（品牌名称）" : "（岗位名称）") })];
      if (data.kind === "brand") {
        const five = [!blank(data.title), !blank(data.logo), !blank(data.concept), !!(data.practices || []).length,
          !blank(data.results) || !!(data.metrics || []).length || !!(data.honors || []).length];
        out.push(
          h("div", { class: "dj-case-head dj-case-head--brand" },
            data.logo ? h("div", { class: "dj-preview__logo", text: `标识\n${data.logo}` }) : null,
            h("div", { class: "dj-case-head__text" },
              h("p", { class: "dj-kind", text: "党建品牌" }),
              data.slogan ? h("p", { class: "dj-slogan", text: data.slogan }) : null, facts)),
          data.summary ? h("p", { class: "dj-summary", text: data.summary }) : null,
          h("div", { class: "dj-five", id: "dj-preview-five" },
            h("p", { class: "dj-five__title", text: `“五有”对照：具备 ${five.filter(Boolean).length} 项，共 5 项` }),
            h("ul", { class: "dj-five__list" }, D.five.map(([lab, what], i) => h("li", { class: `dj-five__item${five[i] ? " dj-five__item--yes" : ""}`, title: what },
              h("span", { class: "dj-five__mark", text: five[i] ? "✓" : "—" }), lab,
              h("span", { class: "dj-five__what", text: what + (five[i] ? "" : "（未填写）") }))))),
          heading("品牌内涵"), prose(data.concept),
          heading("主要做法"),
          (data.practices || []).map((p, i) => [h("p", { class: "dj-preview__h3", text: `${i + 1}. ${str(p.title)}` }), prose(p.text)]),
          heading("工作成效"),
          (data.metrics || []).length ? h("div", { class: "dj-metrics" }, data.metrics.map((m) => h("div", { class: "dj-metric" },
            h("span", { class: "dj-metric__value", text: text(m.value) }), h("span", { class: "dj-metric__unit", text: str(m.unit) }),
            h("span", { class: "dj-metric__label", text: str(m.label) })))) : null,
          prose(data.results),
          (data.honors || []).length ? h("div", { class: "dj-honors" }, h("p", { class: "dj-honors__title", text: "所获荣誉" }),
            h("ul", {}, data.honors.map((x) => h("li", { text: x })))) : null);
      } else {
        out.push(
          h("div", { class: "dj-case-head dj-case-head--post" }, h("div", { class: "dj-case-head__text" },
            h("p", { class: "dj-kind", text: "党员示范岗" + (data.batch ? ` · ${data.batch}` : "") }), facts)),
          data.summary ? h("p", { class: "dj-summary", text: data.summary }) : null,
          h("div", { class: "dj-pledge" },
            h("div", { class: "dj-pledge__head" }, h("span", { class: "dj-pledge__badge", text: "共产党员示范岗" }), h("span", { class: "dj-pledge__title", text: str(data.title) })),
            h("div", { class: "dj-pledge__body" },
              h("p", { class: "dj-pledge__holders" }, h("span", { class: "dj-pledge__label", text: "在岗党员" }), (data.holders || []).map((x) => h("span", { class: "dj-pledge__holder", text: x }))),
              h("p", { class: "dj-pledge__label", text: "我们承诺" }),
              h("ol", { class: "dj-pledge__list" }, (data.commitments || []).map((x) => h("li", { text: x })))),
            h("div", { class: "dj-pledge__foot", text: `${br ? br.name : u ? u.org : "（党组织）"} · 亮牌践诺 · 接受监督` })),
          heading("岗位职责"), prose(data.duties),
          data.results ? [heading("工作成效"), prose(data.results)] : null);
      }
      if ((data.photos || []).length) {
        out.push(heading("图片"), h("ul", { class: "dj-preview__photos" }, data.photos.map((p) => h("li", { text: `${str(p.file)}：${str(p.caption)}` }))));
      }
      out.push(h("p", { class: "dj-note", text: "预览只显示文字和结构；Markdown 格式、图片在发布后的页面上显示。" }));
      fill(previewBox, ...out.flat().filter(Boolean));
    }

    // -- output ---------------------------------------------------------------------------

    function images(data) {
      const out = [];
      if (typeof data.logo === "string") out.push(data.logo);
      for (const p of data.photos || []) if (p && typeof p.file === "string") out.push(p.file);
      return out;
    }

    function where(data) {
      const unit = state.unit || "单位编号";
      const name = `${SLUG.test(state.id) ? state.id : "案例编号"}.yaml`;
      const edit = state.editing && state.editing.id === state.id && state.editing.unit === state.unit;
      const parts = [
        h("p", {}, edit ? "用下载的文件替换已有的 " : "把下载的文件 ", h("code", { text: name }),
          edit ? h("code", { text: `（cases/${unit}/${name}）` }) : "",
          edit ? "：在网页上打开原文件，选择编辑，删除全部内容后粘贴新内容。" : " 放进 ",
          edit ? "" : h("code", { text: `cases/${unit}/` }), edit ? "" : " 文件夹（网页上新建文件时文件名写 ",
          edit ? "" : h("code", { text: `cases/${unit}/${name}` }), edit ? "" : "，再粘贴复制的内容）。",
          h("a", { href: D.guide.new, text: "怎样上传，见投稿指南第二步" }), "。"),
      ];
      const imgs = images(data);
      if (imgs.length) {
        parts.push(h("p", {}, "还要把下面的图片一起上传（", h("a", { href: D.guide.images, text: "投稿指南第四步" }), "）："),
          h("ul", { class: "dj-output__images" }, imgs.map((p) => h("li", {}, h("code", { text: `cases/${unit}/${p}` })))));
      }
      parts.push(h("p", { class: "dj-note" }, "本页已检查必填项、字数、年份、主题、编号格式和编号是否已被占用。图片文件是否已上传、支部等需要对照整个案例库的规则，会在",
        h("a", { href: D.guide.submit, text: "提交合并请求" }), "后由自动检查确认。"));
      fill(whereBox_, ...parts);
    }

    function showErrors(errs) {
      for (const box of root.querySelectorAll("[data-error-for]")) box.replaceChildren();
      for (const el of root.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
      const visible = errs.filter((e) => !e.missing || attempted || [...touched].some((t) => t === e.at || t.startsWith(e.at + "[") || t.startsWith(e.at + ".") || e.at.startsWith(t + ".")));
      for (const e of visible) {
        let at = e.at, box = null;
        while (at && !(box = root.querySelector(`[data-error-for="${CSS.escape(at)}"]`))) at = at.replace(/(\.[^.[\]]+|\[\d+\])$/, "") === at ? "" : at.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
        if (!box) continue;
        put(box, h("p", { "data-field-error": e.at, text: e.message }));
        const input = root.querySelector(`[data-path="${CSS.escape(e.at)}"]`) || (e.at === "@id" ? idInput() : e.at === "@unit" ? root.querySelector("#dj-unit") : null);
        if (input) input.setAttribute("aria-invalid", "true");
      }
      return visible;
    }

    const idInput = () => root.querySelector("#dj-id");

    function refresh() {
      const data = caseData(state);
      lastErrors = validate(state, data);
      const visible = showErrors(lastErrors);
      preview(data);
      where(data);
      yamlBox.value = toYaml(data, state.unit);
      const n = lastErrors.length;
      statusBox.className = "dj-output__status" + (n ? " dj-output__status--bad" : " dj-output__status--ok");
      statusBox.textContent = n
        ? `还有 ${n} 处需要填写或修改${visible.length < n ? "（尚未填写的必填项在下载时一并提示）" : ""}：改好后才能下载。`
        : "检查通过：可以下载或复制案例文件。";
      downloadButton.textContent = `下载 ${SLUG.test(state.id) ? state.id : "案例编号"}.yaml`;
      saveDraft();
    }

    function ready() {
      attempted = true;
      refresh();
      if (!lastErrors.length) return true;
      const first = root.querySelector("[aria-invalid]");
      if (first) first.focus();
      return false;
    }

    function download() {
      if (!ready()) return;
      const blob = new Blob([yamlBox.value], { type: "application/x-yaml;charset=utf-8" });
      const a = h("a", { href: URL.createObjectURL(blob), download: `${state.id}.yaml` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      statusBox.textContent = `已下载 ${state.id}.yaml。`;
    }

    async function copy() {
      if (!ready()) return;
      try {
        await navigator.clipboard.writeText(yamlBox.value);
      } catch (e) { // plain http on an intranet has no clipboard API: select and copy
        yamlBox.focus();
        yamlBox.select();
        document.execCommand("copy");
      }
      statusBox.textContent = "已复制到剪贴板：在网页上新建文件后粘贴即可。";
    }

    // -- opening an existing file -----------------------------------------------------------

    function trapProblems(t) {
      const out = [];
      for (const trap of D.traps) {
        for (const m of t.matchAll(new RegExp(trap.pattern, "gm"))) {
          const key = (m.groups && m.groups.key) || "";
          if (trap.keyed && !KNOWN.has(key)) continue;
          const line = t.slice(0, m.index + m[0].length - 1).split("\n").length;
          out.push(`第 ${line} 行：${fmt(trap.message, { key })}`);
        }
      }
      return out;
    }

    async function openText(raw, stem) {
      const t = raw.replace(/^\ufeff/, "").replace(/\r\n?/g, "\n");
      let problems = trapProblems(t);
      let data = null;
      if (!problems.length) {
        try {
          data = (await jsYaml()).load(t);
        } catch (e) {
          problems = [e.name === "YAMLException"
            ? `${e.mark ? `第 ${e.mark.line + 1} 行：` : ""}无法读取这个文件（YAML 格式错误）：请检查这一行的缩进、冒号和引号。`
            : "读取文件的组件没有载入：请刷新页面后重试。"];
        }
      }
      if (!problems.length && (!data || typeof data !== "object" || Array.isArray(data))) problems = ["文件内容不是「字段名: 内容」的形式：请确认打开的是案例文件。"];
      if (!problems.length && data.kind !== "brand" && data.kind !== "post") problems = ["这不是案例文件：第一行应该是 kind: brand（党建品牌）或 kind: post（党员示范岗）。"];
      if (problems.length) {
        openStatus.className = "dj-form__open-status dj-output__status--bad";
        fill(openStatus, ...problems.map((p) => h("p", { text: p })));
        return false;
      }
      const known = caseOf(stem);
      const current = caseData(state);
      const filled = state.id || state.unit || Object.keys(current).length > 1;
      if (filled && !window.confirm("打开的文件将替换当前表单中已填写的内容，确定吗？")) return false;
      state = stateFrom(data);
      state.id = stem || "";
      state.unit = known ? known.unit : "";
      state.editing = known ? { id: stem, unit: known.unit } : null;
      touched.clear();
      attempted = true;
      render();
      const extra = Object.keys(state.extra);
      openStatus.className = "dj-form__open-status dj-output__status--ok";
      fill(openStatus, h("p", {
        text: (known ? `已打开案例 ${known.file}${known.title ? `（${known.title}）` : ""}，修改后下载新文件替换它。`
          : stem ? `已读取 ${stem}.yaml：请选择本单位，并确认案例编号。` : "已读取粘贴的内容：请选择本单位并填写案例编号。")
          + (extra.length ? `文件中有本表单不认识的字段 ${extra.join("、")}，已原样保留，提交后的检查会报告它们。` : ""),
      }));
      return true;
    }

    /** The library's case with this id (D.cases is keyed by idHash: drafts stay unnamed). */
    function caseOf(id) {
      if (!id || !SLUG.test(id)) return null;
      const hit = D.cases[idHash(id)];
      return hit ? Object.assign({ file: `cases/${hit.unit}/${id}${hit.suffix}` }, hit) : null;
    }

    // -- assembling the page ----------------------------------------------------------------

    const fieldsBox = h("div", { class: "dj-form__fields" });
    const previewBox = h("div", { class: "dj-preview", id: "dj-preview", "aria-live": "off" });
    const whereBox_ = h("div", { class: "dj-output__where" });
    const statusBox = h("p", { class: "dj-output__status", role: "status" });
    const openStatus = h("div", { class: "dj-form__open-status", role: "status" });
    const yamlBox = h("textarea", { id: "dj-yaml", class: "dj-output__yaml", readonly: true, rows: 16, spellcheck: "false", "aria-label": "生成的案例文件内容" });
    const downloadButton = h("button", { type: "button", class: "md-button md-button--primary", onclick: download, text: "下载" });
    const kindBox = h("fieldset", { class: "dj-form__kind" });
    const whereSlot = h("div");

    function render() {
      fill(kindBox, h("legend", { text: "案例类型" }), Object.entries(D.kinds).map(([kind, lab]) => h("label", { class: "dj-radio" },
        h("input", { type: "radio", name: "dj-kind", value: kind, checked: state.kind === kind, onchange: () => { state.kind = kind; render(); } }), lab)));
      fill(whereSlot, whereBox());
      const s = D.schemas[state.kind];
      fill(fieldsBox, ...Object.entries(s.properties)
        .filter(([k]) => k !== "kind" && k !== "branch")
        .map(([k, sub]) => (k === "themes" ? themesField(sub) : sub.type === "array" ? listField(k, sub, s.required.includes(k)) : field(sub, [k], s.required.includes(k)))));
      refresh();
    }

    const fileInput = h("input", {
      type: "file", id: "dj-open-file", accept: ".yaml,.yml,text/yaml,text/plain", class: "dj-sr",
      onchange: async (e) => {
        const file = e.target.files[0];
        if (file) openText(await file.text(), file.name.replace(/\.ya?ml$/i, ""));
        e.target.value = "";
      },
    });
    const pasteBox = h("textarea", { id: "dj-paste", rows: 6, spellcheck: "false" });
    const restored = loadDraft();

    fill(root, 
      h("div", { class: "dj-form__tools" },
        fileInput, h("label", { for: "dj-open-file", class: "md-button", text: "打开已有案例文件…" }),
        h("details", { class: "dj-form__paste" }, h("summary", { text: "或粘贴案例文件的内容" }),
          h("label", { for: "dj-paste", text: "把案例文件的全部内容粘贴在这里" }), pasteBox,
          h("button", { type: "button", class: "md-button dj-button--small", text: "读取粘贴的内容", onclick: () => openText(pasteBox.value, "") })),
        h("button", {
          type: "button", class: "md-button dj-form__reset", text: "清空，重新填写",
          onclick: () => {
            if (!window.confirm("清空后，已填写的内容将无法恢复。确定要清空吗？")) return;
            state = emptyState();
            touched.clear();
            attempted = false;
            fill(openStatus, );
            render();
          },
        }),
        openStatus),
      restored ? h("p", { class: "dj-form__restored", role: "status", text: "已恢复上次未填完的内容（保存在本浏览器中）。" }) : null,
      h("div", { class: "dj-form__grid" },
        h("form", { class: "dj-form__main", novalidate: true, onsubmit: (e) => e.preventDefault() }, kindBox, whereSlot,
          h("fieldset", { class: "dj-form__content" }, h("legend", { text: "案例内容" }), fieldsBox)),
        h("aside", { class: "dj-form__side", "aria-label": "预览与生成的文件" },
          h("section", { class: "dj-form__panel dj-output" }, h("p", { class: "dj-form__panel-title", text: "生成的案例文件" }),
            statusBox, h("div", { class: "dj-output__buttons" }, downloadButton,
              h("button", { type: "button", class: "md-button", onclick: copy, text: "复制内容" })), whereBox_),
          h("section", { class: "dj-form__panel" }, h("p", { class: "dj-form__panel-title", text: "预览" }), previewBox),
          h("section", { class: "dj-form__panel" }, h("p", { class: "dj-form__panel-title", text: "文件内容" }), yamlBox))));
    render();

    // For the tests and for anyone scripting the page: the same functions the form uses.
    window.djForm = {
      toYaml,
      caseData: () => caseData(state),
      yaml: () => yamlBox.value,
      errors: () => lastErrors.map((e) => ({ field: e.at, message: e.message })),
      load(data, unit, id) {
        state = stateFrom(data);
        state.unit = unit || "";
        state.id = id || "";
        render();
      },
    };
  }
})();
