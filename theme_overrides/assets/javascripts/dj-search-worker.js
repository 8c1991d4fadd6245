/*
 * Search worker of the case library, in place of Material's (theme_overrides/main.html
 * points Material at it). It speaks Material's worker protocol, so Material's search
 * box and result list stay as they are:
 *   {type: 0 SETUP, data: {config, docs}}  ->  {type: 1 READY}
 *   {type: 2 QUERY, data: "text"}          ->  {type: 3 RESULT, data: {items: [[item]]}}
 *
 * Why not Material's own: it splits a Chinese query greedily into pieces of its
 * index (never the whole query: "区发展和改革局" becomes 区/发展/和/改革) and so
 * misses whole names, fragments of titles and abbreviations. Here the query is
 * folded to simplified characters with the table made from OpenCC's data
 * (dj-fold.js, scripts/fold_table.py), like the index was at build time, then:
 *   - a page's own names (n: title; a unit's name and aliases) are matched by
 *     substring: the exact name ranks first, any fragment of it still finds it;
 *   - names it belongs with (m: a case's unit, holders, themes) likewise, lower;
 *   - body words (w: jieba's search segmentation at build time) by the pieces
 *     of the query that are words of the index, scored by how much of the
 *     query they cover.
 * An index without these fields (a plain `mkdocs build`) is searched by the
 * words of its text, so search degrades instead of breaking.
 */
"use strict"

importScripts("dj-fold.js")

const FOLD = new Map()
{
  const chars = Array.from(self.DJ_FOLD)
  for (let i = 0; i + 1 < chars.length; i += 2) FOLD.set(chars[i], chars[i + 1])
}

/** Folded characters of a text, one for one (so positions stay those of the text). */
function foldChars(text) {
  return Array.from(text, ch => {
    const lower = ch.toLowerCase()
    const one = lower.length === ch.length ? lower : ch
    return FOLD.get(one) || one
  })
}

function fold(text) {
  return foldChars(text).join("")
}

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&#x27;": "'" }

function unescapeHTML(text) {
  return text.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, e => ENTITIES[e])
}

function escapeHTML(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
}

const TAGS = /<[^>]*>/g
// What separates the parts of a query (Material's query syntax characters included).
const QUERY_SEPARATOR = /[\s\u3000,，.。、;；:：!！?？"“”'‘’()（）《》【】\[\]{}<>|/\\+*~^-]+/

const LONGEST_WORD = 32  // no body word is longer (names are matched whole, by substring)

let docs = []
let words = []        // per doc: Set of body words
let inverted = new Map()  // body word -> doc indexes
let vocabulary = []   // sorted body words, for prefix matching of one-character queries

function setup({ config, docs: raw }) {
  const ours = config && config.dj
  const separator = new RegExp((config && config.separator) || "[\\s\\-]+", "u")
  docs = raw.map(doc => {
    doc.text = doc.text || ""
    const title = unescapeHTML(doc.title.replace(TAGS, ""))
    return {
      doc,
      n: ours ? doc.n || [] : [fold(title)],
      m: ours ? doc.m || [] : []
    }
  })
  words = raw.map(doc => {
    const source = ours
      ? doc.w || ""
      : fold(unescapeHTML((doc.text || "").replace(TAGS, " ")))
    return new Set(source.split(ours ? " " : separator).filter(Boolean))
  })
  inverted = new Map()
  words.forEach((set, i) => {
    for (const word of set) {
      const list = inverted.get(word)
      if (list) list.push(i)
      else inverted.set(word, [i])
    }
  })
  vocabulary = [...inverted.keys()].sort()
}

/** Body words of the index that start with a prefix (for queries of one character). */
function withPrefix(prefix, limit) {
  let lo = 0
  let hi = vocabulary.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (vocabulary[mid] < prefix) lo = mid + 1
    else hi = mid
  }
  const out = []
  for (let i = lo; i < vocabulary.length && out.length < limit; i++) {
    if (!vocabulary[i].startsWith(prefix)) break
    out.push(vocabulary[i])
  }
  return out
}

/** The score of a name list for a query part: exact name, else the best fragment. */
function nameScore(names, part, exact, fragment) {
  let best = 0
  for (const name of names) {
    if (name === part) return exact
    if (name.includes(part)) best = Math.max(best, fragment * (1 + part.length / name.length))
  }
  return best
}

/** Scores of every doc for one part of the query. */
function scorePart(part) {
  const scores = new Map()
  const chars = Array.from(part)
  // pieces of the part that are body words, with their character spans
  const pieces = []
  for (let i = 0; i < chars.length; i++)
    for (let j = i + 1; j <= Math.min(chars.length, i + LONGEST_WORD); j++) {
      const piece = chars.slice(i, j).join("")
      if (j - i >= 2 || chars.length === 1 || !/\p{sc=Han}/u.test(piece))
        if (inverted.has(piece)) pieces.push([piece, i, j])
    }
  if (chars.length === 1 || (!pieces.length && !/\p{sc=Han}/u.test(part)))
    for (const word of withPrefix(part, 200)) pieces.push([word, 0, chars.length, true])

  const covered = new Map()  // doc -> Uint8Array of covered characters
  for (const [piece, i, j] of pieces)
    for (const d of inverted.get(piece)) {
      let mask = covered.get(d)
      if (!mask) covered.set(d, mask = new Uint8Array(chars.length))
      mask.fill(1, i, j)
    }
  for (const [d, mask] of covered) {
    const share = mask.reduce((a, b) => a + b, 0) / chars.length
    scores.set(d, 100 * share * share)
  }
  docs.forEach((entry, d) => {
    const own = nameScore(entry.n, part, 1000, 200)
    const belongs = nameScore(entry.m, part, 200, 40)
    if (own || belongs) scores.set(d, (scores.get(d) || 0) + own + belongs)
  })
  return scores
}

/** The text with every occurrence of the parts marked, escaped for the result list. */
function highlight(escaped, parts) {
  const text = unescapeHTML(escaped)
  const chars = Array.from(text)
  const folded = foldChars(text)
  const mask = new Uint8Array(chars.length)
  for (const part of parts) {
    const want = Array.from(part)
    for (let i = 0; i + want.length <= folded.length; i++) {
      let k = 0
      while (k < want.length && folded[i + k] === want[k]) k++
      if (k === want.length) mask.fill(1, i, i + k)
    }
  }
  let out = ""
  for (let i = 0; i < chars.length;) {
    let j = i
    while (j < chars.length && mask[j] === mask[i]) j++
    const run = escapeHTML(chars.slice(i, j).join(""))
    out += mask[i] ? `<mark data-md-highlight>${run}</mark>` : run
    i = j
  }
  return out
}

function search(query) {
  const parts = [...new Set(fold(query).split(QUERY_SEPARATOR).filter(Boolean))]
  if (!parts.length) return { items: [] }
  const total = new Map()
  const found = new Map()
  for (const part of parts)
    for (const [d, score] of scorePart(part)) {
      total.set(d, (total.get(d) || 0) + score)
      found.set(d, (found.get(d) || 0) + 1)
    }
  // a query of several parts ("企业开办“一窗通办”党员示范岗") may still be one whole name
  const whole = fold(query).trim()
  if (parts.length > 1)
    docs.forEach((entry, d) => {
      const score = nameScore(entry.n, whole, 3000, 600) + nameScore(entry.m, whole, 600, 120)
      if (score) {
        total.set(d, (total.get(d) || 0) + score)
        found.set(d, Math.max(found.get(d) || 0, parts.length))
      }
    })
  const ranked = [...total.entries()]
    .map(([d, score]) => [d, score * (found.get(d) / parts.length) ** 2 * (docs[d].doc.boost || 1)])
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])

  const groups = new Map()
  for (const [d, score] of ranked) {
    const { doc } = docs[d]
    const page = doc.location.split("#")[0]
    const terms = {}
    for (const part of parts) terms[part] = false
    const item = {
      location: doc.location,
      title: /<[a-z]/i.test(doc.title) ? doc.title : highlight(doc.title, parts),  // markup: as is
      text: doc.text.replace(/^<p>([^<]*)<\/p>$/, (_, inner) => `<p>${highlight(inner, parts)}</p>`),
      score,
      terms
    }
    for (const part of parts)
      if (docs[d].n.some(n => n.includes(part)) || docs[d].m.some(n => n.includes(part))
        || fold(unescapeHTML(doc.text.replace(TAGS, ""))).includes(part) || words[d].has(part))
        terms[part] = true
    if (Object.values(terms).every(t => !t)) for (const part of parts) terms[part] = true
    const group = groups.get(page)
    if (group) group.push(item)
    else groups.set(page, [item])
  }
  // every group needs its article (the page itself) for Material's result list
  for (const [page, items] of groups)
    if (!items.some(item => item.location === page)) {
      const d = docs.findIndex(entry => entry.doc.location === page)
      if (d >= 0) items.push({ ...docs[d].doc, score: 0, terms: {} })
    }
  return { items: [...groups.values()] }
}

addEventListener("message", ev => {
  const message = ev.data
  switch (message.type) {
    case 0:
      setup(message.data)
      postMessage({ type: 1 })
      break
    case 2:
      try {
        postMessage({ type: 3, data: search(message.data) })
      } catch (err) {
        console.warn("搜索出错：", err)
        postMessage({ type: 3, data: { items: [] } })
      }
      break
    default:
      throw new TypeError("Invalid message type")
  }
})
