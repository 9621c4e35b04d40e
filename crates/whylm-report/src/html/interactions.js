  // Interaction matrix (--interactions K): the level's top features x top features, coloured by the summed
  // Shapley interaction index (red synergy, blue redundancy); clicking a cell shows the pair's coalition values
  // with every other feature masked and with every other feature kept.
  function buildInteractions(main) {
    main.appendChild(el("h2", null, "Interactions of the top features — click a cell for the pair's coalition values"));
    ui.inter = el("div", "heat inter");
    ui.interPair = el("div", "stats interpair");
    main.appendChild(ui.inter);
    main.appendChild(ui.interPair);
  }

  function drawInteractions() {
    if (!ui.inter) return;
    var lv = level();
    var m = lv.interactions;
    clear(ui.inter);
    clear(ui.interPair);
    if (!m) {
      ui.inter.appendChild(el("p", null, "No interactions at the " + lv.level + " level."));
      return;
    }
    var scale = 0;
    m.matrix.forEach(function (row) { scale = Math.max(scale, maxAbs(row)); });
    var table = el("table");
    var hr = el("tr");
    hr.appendChild(el("th", null, m.exact ? "exact" : "sampled"));
    m.features.forEach(function (f) { hr.appendChild(el("th", null, lv.features[f].text)); });
    table.appendChild(hr);
    m.features.forEach(function (fa, x) {
      var tr = el("tr");
      tr.appendChild(el("th", null, lv.features[fa].text));
      m.features.forEach(function (fb, y) {
        var v = m.matrix[x][y];
        var td = el("td", x === y ? "diag" : "cell", x === y ? "" : fmtSigned(v, scale));
        if (x !== y) {
          td.style.backgroundColor = colorFor(v, scale);
          td.style.color = textColorFor(v, scale);
          td.setAttribute("data-pair", fa + "," + fb);
          var se = m.std_err ? " ± " + fmt(m.std_err[x][y]) : "";
          td.title = lv.features[fa].text + " + " + lv.features[fb].text + ": " + fmtSigned(v, scale) + se +
            (v >= 0 ? " (synergy)" : " (redundancy)");
          td.addEventListener("click", function () { showPair(fa, fb, v); });
        }
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    ui.inter.appendChild(table);
  }

  function showPair(a, b, index) {
    var lv = level();
    var pv = (lv.interactions.pair_values || []).find(function (p) {
      return (p.a === a && p.b === b) || (p.a === b && p.b === a);
    });
    clear(ui.interPair);
    root.setAttribute("data-pair", a + "," + b);
    var name = function (f) { return JSON.stringify(lv.features[f].text); };
    ui.interPair.appendChild(el("p", null, name(a) + " + " + name(b) + ": interaction index " + fmtSigned(index, 1) +
      (index >= 0 ? " (synergy: together they add more than apart)" : " (redundancy: either does part of the other's work)")));
    if (!pv) {
      ui.interPair.appendChild(el("p", null, "This document has no coalition values for the pair."));
      return;
    }
    var first = pv.a === a ? name(a) : name(b);
    var second = pv.a === a ? name(b) : name(a);
    var table = el("table");
    var hr = el("tr");
    ["other features", "neither", "only " + first, "only " + second, "both", "both − each + neither"].forEach(function (h) {
      hr.appendChild(el("th", null, h));
    });
    table.appendChild(hr);
    [["all masked", pv.alone], ["all kept", pv.in_context]].forEach(function (r) {
      var v = r[1];
      var tr = el("tr");
      tr.appendChild(el("td", null, r[0]));
      v.forEach(function (x) { tr.appendChild(el("td", "num", fmt(x))); });
      tr.appendChild(el("td", "num", fmtSigned(v[3] - v[1] - v[2] + v[0], 1)));
      table.appendChild(tr);
    });
    ui.interPair.appendChild(table);
    ui.interPair.appendChild(el("p", null, "Values are the " + doc.score + " summed over the target tokens; the index " +
      "is a weighted mean of the last column over every context of the other features."));
  }
