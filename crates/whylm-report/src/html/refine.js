  // Drill-down of a refined explanation (`--refine K`): the coarsest level's units as a list; a unit the next
  // level split has a button that opens its parts (with their values at that level, and how far they add up to
  // the unit's), and so on down to the finest level. Values follow the selected target token, like the prompt.
  function buildRefinement(main) {
    main.appendChild(el("h2", null, "Drill-down — click ▸ to open a unit into its parts"));
    var plan = doc.refinement;
    main.appendChild(el("p", "meta", "top " + plan.top_k + " units of each level split; " + plan.evaluations +
      " of " + plan.max_evals + " evaluations; " + plan.split));
    ui.refine = el("div", "refine");
    main.appendChild(ui.refine);
    state.open = {};
  }

  function drawRefinement() {
    if (!ui.refine) return;
    clear(ui.refine);
    var top = doc.levels[0];
    var scale = maxAbs(values(top, state.selection));
    var list = el("ul");
    top.features.forEach(function (f, i) { list.appendChild(refineNode(0, i, scale)); });
    ui.refine.appendChild(list);
  }

  // The split of unit `unit` of level `index` by the next level, or null.
  function splitOf(index, unit) {
    var next = doc.levels[index + 1];
    if (!next || !next.refinement) return null;
    return next.refinement.units.find(function (u) { return u.parent === unit; }) || null;
  }

  function refineNode(index, unit, scale) {
    var lv = doc.levels[index];
    var sel = state.selection;
    var v = values(lv, sel)[unit];
    var errs = stdErrs(lv, sel);
    var item = el("li");
    var row = el("div", "unit");
    row.setAttribute("data-unit", index + ":" + unit);
    var split = splitOf(index, unit);
    var key = index + ":" + unit;
    if (split) {
      var button = el("button", "open", state.open[key] ? "▾" : "▸");
      button.setAttribute("data-expand", key);
      button.setAttribute("aria-expanded", state.open[key] ? "true" : "false");
      button.addEventListener("click", function () { state.open[key] = !state.open[key]; drawRefinement(); });
      row.appendChild(button);
    }
    row.appendChild(el("span", "lvl", lv.level));
    var chip = el("span", "feat", lv.features[unit].text.trim().slice(0, 120));
    chip.style.background = colorFor(v, scale);
    chip.style.color = textColorFor(v, scale);
    row.appendChild(chip);
    row.appendChild(el("span", "val", valueLine(v, errs ? errs[unit] : null, sel, scale)));
    if (split) {
      var gap = "parts sum " + fmtSigned(split.children_sum, scale) + " (whole target), gap " +
        fmtSigned(split.discrepancy, scale) + (split.std_err !== undefined ? " ± " + fmt(split.std_err) : "") +
        (split.consistent ? ", consistent" : ", outside the error");
      row.appendChild(el("span", "gap" + (split.consistent ? "" : " off"), gap));
    }
    item.appendChild(row);
    if (split && state.open[key]) {
      var parts = el("ul");
      split.children.forEach(function (c) { parts.appendChild(refineNode(index + 1, c, scale)); });
      item.appendChild(parts);
    }
    return item;
  }
