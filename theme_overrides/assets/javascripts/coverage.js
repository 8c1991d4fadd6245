/* Coverage page: sort the unit table by any column and filter it. The table
   is complete without this script; it only adds sort buttons and filters. */
(function () {
  "use strict";

  function cellKey(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    return numeric ? Number(raw) : raw;
  }

  function sortable(table) {
    var heads = table.tHead.rows[0].cells;
    var body = table.tBodies[0];
    var original = Array.prototype.slice.call(body.rows);
    var collator = new Intl.Collator("zh-CN");
    Array.prototype.forEach.call(heads, function (th, index) {
      var numeric = th.getAttribute("data-type") === "number";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "dj-sort";
      button.textContent = th.textContent;
      button.title = "按“" + th.textContent + "”排序";
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var current = th.getAttribute("aria-sort");
        var next = current === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", next);
        var sign = next === "ascending" ? 1 : -1;
        var rows = original.slice().sort(function (a, b) {
          var x = cellKey(a, index, numeric), y = cellKey(b, index, numeric);
          var d = numeric ? x - y : collator.compare(x, y);
          return d !== 0 ? sign * d : original.indexOf(a) - original.indexOf(b);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  /* The filters exist only with the script, which is what makes them work. */
  function filterBar(table) {
    var bar = document.createElement("div");
    bar.className = "dj-filters";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "筛选单位");
    function checkbox(name, text) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = name;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + text));
      bar.appendChild(label);
      return box;
    }
    var noBrand = checkbox("no-brand", "只看未覆盖品牌");
    var noPost = checkbox("no-post", "只看未覆盖示范岗");
    var label = document.createElement("label");
    label.appendChild(document.createTextNode("组织类型 "));
    var type = document.createElement("select");
    type.name = "type";
    ["全部"].concat(table.getAttribute("data-types").split(" ")).forEach(function (t, i) {
      var option = document.createElement("option");
      option.value = i === 0 ? "" : t;
      option.textContent = t;
      type.appendChild(option);
    });
    label.appendChild(type);
    bar.appendChild(label);
    var count = document.createElement("output");
    count.className = "dj-filters__count";
    count.setAttribute("aria-live", "polite");
    bar.appendChild(count);

    var rows = table.tBodies[0].rows;
    function apply() {
      var shown = 0;
      Array.prototype.forEach.call(rows, function (r) {
        var hide = (noBrand.checked && r.getAttribute("data-brand") !== "0") ||
          (noPost.checked && r.getAttribute("data-post") !== "0") ||
          (type.value && r.getAttribute("data-type") !== type.value);
        r.hidden = hide;
        if (!hide) shown += 1;
      });
      count.textContent = "显示 " + shown + " / " + rows.length + " 个单位";
    }
    bar.addEventListener("change", apply);
    var box = table.closest(".dj-scroll") || table;
    box.parentNode.insertBefore(bar, box);
    apply();
  }

  /* A table wider than the column says so: a hint and an edge shadow. */
  function scrollCues() {
    Array.prototype.forEach.call(document.querySelectorAll(".dj-scroll"), function (box) {
      function update() {
        box.classList.toggle("dj-scroll--overflow", box.scrollWidth > box.clientWidth + 1);
      }
      update();
      window.addEventListener("resize", update);
    });
  }

  function init() {
    scrollCues();
    var table = document.querySelector("table[data-dj-sortable]");
    if (!table || table.getAttribute("data-dj-ready")) return;
    table.setAttribute("data-dj-ready", "1");
    sortable(table);
    filterBar(table);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init); /* Material's instant navigation, when enabled */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
