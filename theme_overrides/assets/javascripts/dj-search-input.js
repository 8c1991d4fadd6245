/*
 * Material starts a search on key-up only. Text can also arrive without a key:
 * pasted (menu or middle click), chosen from an input method's candidates
 * (composition end), dictated, or filled in by the browser. Each of these
 * raises `input` (or `compositionend`); a synthetic key-up then lets Material
 * read the box as if a key had been released. While an input method is still
 * composing, the box holds unfinished text: no search until it is done.
 */
(function () {
  "use strict"
  function wire(box) {
    if (box.dataset.djWired) return
    box.dataset.djWired = "1"
    function nudge() {
      box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }))
    }
    box.addEventListener("input", function (ev) {
      if (!ev.isComposing) nudge()
    })
    box.addEventListener("compositionend", function () {
      setTimeout(nudge, 0)  // after the composed text is in the box
    })
    box.addEventListener("paste", function () {
      setTimeout(nudge, 0)
    })
  }
  function wireAll() {
    document.querySelectorAll("input.md-search__input, input[data-md-component=search-query]")
      .forEach(wire)
  }
  if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", wireAll)
  else
    wireAll()
})()
