"""export --order --labels en: every X_order column is the model's 1-based order
of X and every X_label column its English label (its name where it has none),
both taken from 'scenmc info --json' (scenmc's test_cliout runs this).

usage: check_order_labels.py INFO.json CSV_DIR"""
import csv
import json
import os
import sys


def main(info_path, folder):
    info = json.load(open(info_path, encoding="utf-8"))
    scen = {s["name"]: (k + 1, s.get("label") or s["name"])
            for k, s in enumerate(info["scenarios"])}
    scen["unclassified"] = (len(info["scenarios"]) + 1, "unclassified")
    desc = {d["id"]: (k + 1, d.get("label") or d["name"])
            for k, d in enumerate(info["descriptors"])}
    var = {}
    for v, name in enumerate(info["variant_names"]):
        d = info["descriptors"][info["variant_descriptor"][v]]
        var[(d["id"], name)] = (d["variants"].index(name) + 1, info["variant_labels"][v] or name)
    checked = 0
    for name in sorted(os.listdir(folder)):
        if name == "metadata.csv":
            continue
        rows = list(csv.DictReader(open(os.path.join(folder, name), encoding="utf-8", newline="")))
        cols = rows[0].keys()
        for col in cols:
            if not col.endswith("_order"):
                continue
            base = col[:-len("_order")]
            if base + "_label" not in cols:
                sys.exit(f"{name}: {col} without {base}_label")
            for w in rows:
                if base == "descriptor":
                    want = desc[w[base]]
                elif base == "variant":
                    want = var[(w["descriptor"], w[base])]
                else:
                    want = scen[w[base]]
                got = (int(w[col]), w[base + "_label"])
                if got != want:
                    sys.exit(f"{name}: {base} '{w[base]}': order, label {got}; expected {want}")
                checked += 1
    if checked < 1000:
        sys.exit(f"only {checked} cells checked")
    print(f"{checked} order and label cells as the model gives them")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
