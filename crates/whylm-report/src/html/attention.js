  // Attention panel (--attention): a layer/head selector and a view selector, the prompt coloured by the chosen
  // attention view beside the same prompt coloured by the Shapley values (same colours, each scaled to its own
  // largest value), and the agreement numbers of every layer's views at the current level.
  var att = { layer: "rollout", head: "mean" };

  function attentionViews() { return doc.attention && doc.attention.views ? doc.attention.views : []; }

  function currentView() {
    var views = attentionViews();
    if (att.layer === "rollout") return views.find(function (v) { return v.kind === "rollout"; });
    var layer = Number(att.layer);
    return views.find(function (v) {
      return v.layer === layer && (att.head === "mean" ? v.kind === "mean" : v.kind === "head" && v.head === Number(att.head));
    });
  }

  function viewName(v) {
    if (!v) return "none";
    if (v.kind === "rollout") return "rollout";
    return "layer " + v.layer + (v.kind === "mean" ? " mean" : " head " + v.head);
  }

  function option(select, value, text) {
    var o = el("option", null, text);
    o.value = value;
    select.appendChild(o);
  }

  function buildAttention(main) {
    if (!attentionViews().length) return false;
    main.appendChild(el("h2", null, "Attention beside Shapley — attention is not an attribution; the numbers say how far it agrees"));
    var bar = el("div", "bar attbar");
    ui.attView = el("select");
    ui.attView.id = "att-view";
    option(ui.attView, "rollout", "rollout (all layers)");
    option(ui.attView, "layer", "one layer");
    ui.attLayer = el("select");
    ui.attLayer.id = "att-layer";
    for (var l = 0; l < doc.attention.num_layers; l++) option(ui.attLayer, String(l), "layer " + l);
    ui.attHead = el("select");
    ui.attHead.id = "att-head";
    option(ui.attHead, "mean", "mean over heads");
    for (var h = 0; h < doc.attention.num_heads; h++) option(ui.attHead, String(h), "head " + h);
    [["view", ui.attView], ["layer", ui.attLayer], ["head", ui.attHead]].forEach(function (p) {
      var label = el("label", null, p[0] + " ");
      label.appendChild(p[1]);
      bar.appendChild(label);
      p[1].addEventListener("change", readAttentionControls);
    });
    main.appendChild(bar);
    var pair = el("div", "attpair");
    var left = el("section");
    ui.attShapTitle = el("h3");
    left.appendChild(ui.attShapTitle);
    ui.attShap = el("div", "prompt small");
    left.appendChild(ui.attShap);
    var right = el("section");
    ui.attTitle = el("h3");
    right.appendChild(ui.attTitle);
    ui.attPrompt = el("div", "prompt small");
    ui.attPrompt.id = "att-prompt";
    right.appendChild(ui.attPrompt);
    pair.appendChild(left);
    pair.appendChild(right);
    main.appendChild(pair);
    ui.attTable = el("div", "heat");
    main.appendChild(ui.attTable);
    return true;
  }

  function readAttentionControls() {
    att.layer = ui.attView.value === "rollout" ? "rollout" : ui.attLayer.value;
    att.head = ui.attHead.value;
    ui.attLayer.disabled = ui.attHead.disabled = att.layer === "rollout";
    drawAttentionPanel();
  }

  // Sets the controls as a reader would (from the URL hash) and redraws.
  function setAttention(key, val) {
    if (!ui.attView) return;
    if (key === "att-view") ui.attView.value = val === "rollout" ? "rollout" : "layer";
    if (key === "att-layer") { ui.attView.value = "layer"; ui.attLayer.value = val; }
    if (key === "att-head") { ui.attView.value = "layer"; ui.attHead.value = val; }
    readAttentionControls();
  }

  // The prompt's features coloured by `vals` (special tokens and fixed text as in the main prompt view).
  function drawColouredPrompt(box, lv, vals, cls, tip) {
    clear(box);
    var scale = maxAbs(vals);
    var items = lv.features.map(function (f, i) { return { start: f.start, end: f.end, feature: i }; });
    items.sort(function (a, b) { return a.start - b.start; });
    var pos = 0;
    items.forEach(function (item) {
      var start = Math.max(item.start, pos);
      if (start > pos) box.appendChild(document.createTextNode(sliceBytes(pos, start)));
      if (item.end <= start) return;
      var i = item.feature;
      var span = el("span", "feat " + cls, sliceBytes(start, item.end));
      span.setAttribute("data-feature", String(i));
      span.style.backgroundColor = colorFor(vals[i], scale);
      span.style.color = textColorFor(vals[i], scale);
      span.title = JSON.stringify(lv.features[i].text) + ": " + tip(vals[i], scale);
      box.appendChild(span);
      pos = item.end;
    });
    if (pos < promptBytes.length) box.appendChild(document.createTextNode(sliceBytes(pos, promptBytes.length)));
  }

  function drawAttentionPanel() {
    if (!ui.attPrompt) return;
    var lv = level();
    var sel = state.selection;
    var view = currentView();
    var entry = view ? view.levels[state.level] : null;
    drawColouredPrompt(ui.attShap, lv, values(lv, sel), "sfeat", fmtSigned);
    ui.attShapTitle.textContent = "Shapley values (" + lv.level + ", " + targetName(sel) + ")";
    var weights = entry ? lv.features.map(function (f, i) {
      return sel < 0 ? sum(entry.weights.map(function (row) { return row[i]; })) : entry.weights[sel][i];
    }) : lv.features.map(function () { return 0; });
    drawColouredPrompt(ui.attPrompt, lv, weights, "afeat", function (v) { return v.toFixed(3); });
    ui.attTitle.textContent = "Attention: " + viewName(view) + " (" + targetName(sel) + ")";
    root.setAttribute("data-att-view", viewName(view));
    drawAgreementTable(view);
  }

  // The agreement of rollout, each layer's mean and the chosen view, at the current level.
  function drawAgreementTable(chosen) {
    var rows = attentionViews().filter(function (v) { return v.kind !== "head" || v === chosen; });
    var table = el("table");
    var head = el("tr");
    ["view", "mean Spearman ρ", "same top feature", "drop@1", "drop@3", "drop@5"].forEach(function (h) {
      head.appendChild(el("th", null, h));
    });
    table.appendChild(head);
    var drops = (doc.attention.shapley_removal_drop || [])[state.level] || [];
    table.appendChild(agreementRow("Shapley values", null, null, drops));
    rows.forEach(function (v) {
      var e = v.levels[state.level];
      var rhos = e.spearman.filter(function (r) { return r !== null; });
      var rho = rhos.length ? sum(rhos) / rhos.length : null;
      var top = e.top_match.filter(Boolean).length + "/" + e.top_match.length;
      var tr = agreementRow(viewName(v), rho, top, e.removal_drop);
      if (v === chosen) tr.className = "on";
      table.appendChild(tr);
    });
    clear(ui.attTable);
    ui.attTable.appendChild(table);
  }

  function agreementRow(name, rho, top, drops) {
    var tr = el("tr");
    tr.appendChild(el("th", null, name));
    tr.appendChild(el("td", null, rho === null ? "—" : fmtSigned(rho, 1)));
    tr.appendChild(el("td", null, top === null ? "—" : top));
    [1, 3, 5].forEach(function (k) {
      var d = drops.find(function (x) { return x.k === k; });
      tr.appendChild(el("td", null, d ? fmtSigned(d.drop, 1) : "—"));
    });
    return tr;
  }
