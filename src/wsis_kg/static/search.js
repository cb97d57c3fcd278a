/* The site's search page: MiniSearch indexes the records of search/index.js in the browser (no request
   leaves the page, so it works from file:// as from any server). Results are built with DOM methods,
   never from HTML strings. */
(function () {
  "use strict";
  var data = window.WSIS_SEARCH;
  var passages = data.passages;
  var index = new MiniSearch({
    fields: ["label", "quote", "passage", "context", "entities", "kinds"],
    storeFields: ["label", "quote", "t", "context", "kinds"],
    extractField: function (doc, field) {
      return field === "passage" ? (passages[doc.p] || "") : doc[field];
    },
    searchOptions: { boost: { label: 4, quote: 2, entities: 1.5 }, prefix: true, fuzzy: 0.15, combineWith: "AND" }
  });
  index.addAll(data.records);

  var input = document.getElementById("q");
  var only = document.getElementById("only");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");

  function render() {
    var q = input.value.trim();
    var kind = only.value;
    list.replaceChildren();
    if (!q) {
      status.textContent = "Type a word or two: a theme, a group, an Action Line, words of a quote.";
      return;
    }
    var hits = index.search(q, kind ? { filter: function (r) { return r.t === kind; } } : {});
    if (hits.length === 0) {
      hits = index.search(q, { combineWith: "OR", filter: kind ? function (r) { return r.t === kind; } : undefined });
    }
    status.textContent = hits.length + (hits.length === 1 ? " result" : " results") + " for “" + q + "”";
    hits.slice(0, 100).forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = hit.id;
      a.textContent = hit.label;
      li.appendChild(a);
      var chip = document.createElement("span");
      chip.className = "chip";
      chip.textContent = hit.t === "claim" ? hit.kinds : "entity: " + hit.context;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(chip);
      if (hit.t === "claim") {
        var quote = document.createElement("div");
        quote.className = "quote";
        quote.textContent = "“" + hit.quote + "”";
        li.appendChild(quote);
        var where = document.createElement("div");
        where.className = "where";
        where.textContent = hit.context;
        li.appendChild(where);
      }
      list.appendChild(li);
    });
  }

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  only.value = params.get("only") || "";
  input.addEventListener("input", render);
  only.addEventListener("change", render);
  document.getElementById("search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    render();
  });
  render();
})();
