#!/usr/bin/env python3
"""Writes a synthetic scenmc model (YAML, the format of models/vasternorrland2030.yaml).

D descriptors with a random number of variants each, and a consistency matrix
(blocks per descriptor pair, integer scores -3..3) and/or a cross-impact matrix
(blocks per ordered pair of different descriptors, integer impacts -3..3).
The same arguments always give the same file (Python's random.Random(seed)).

  python3 bench/gen_model.py --descriptors 15 --variants-min 2 --variants-max 4 \\
      --seed 1 --cross -o /tmp/m15.yaml

Only the standard library is used.
"""
import argparse
import random
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--descriptors", type=int, default=10, help="number of descriptors D (default 10)")
    ap.add_argument("--variants-min", type=int, default=2, help="fewest variants a descriptor (default 2)")
    ap.add_argument("--variants-max", type=int, default=6, help="most variants a descriptor (default 6)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--cross", action="store_true", help="write a cross-impact matrix (CIB)")
    ap.add_argument("--consistency", action="store_true",
                    help="write a consistency matrix (the default when --cross is not given)")
    ap.add_argument("--density", type=float, default=1.0,
                    help="probability that an entry is drawn from -3..3 rather than set to 0 (default 1)")
    ap.add_argument("-o", "--output", default="-", help="output file (default: standard output)")
    a = ap.parse_args(argv)
    if a.descriptors < 1:
        ap.error("--descriptors must be at least 1")
    if not 2 <= a.variants_min <= a.variants_max <= 64:
        ap.error("expected 2 <= --variants-min <= --variants-max <= 64")
    if not 0.0 <= a.density <= 1.0:
        ap.error("--density must be between 0 and 1")
    if not a.cross and not a.consistency:
        a.consistency = True

    rng = random.Random(a.seed)
    n = [rng.randint(a.variants_min, a.variants_max) for _ in range(a.descriptors)]
    ids = ["D%02d" % (i + 1) for i in range(a.descriptors)]
    states = 1
    for k in n:
        states *= k

    def entry():
        return rng.randint(-3, 3) if rng.random() < a.density else 0

    out = []
    w = out.append
    kind = " + ".join(x for x, on in (("consistency", a.consistency), ("cross impact", a.cross)) if on)
    w("# Synthetic model written by bench/gen_model.py")
    w("#   --descriptors %d --variants-min %d --variants-max %d --seed %d%s%s --density %g"
      % (a.descriptors, a.variants_min, a.variants_max, a.seed,
         " --cross" if a.cross else "", " --consistency" if a.consistency else "", a.density))
    w("# %d states" % states)
    w("format: scenmc-model")
    w("format_version: 1")
    w("name: \"Synthetic %s model, %d descriptors, seed %d\"" % (kind, a.descriptors, a.seed))
    w("years: {start: 2020, end: 2030}")
    w("scale: {consistency: [-3, 3], cross_impact: [-3, 3]}")
    w("")
    w("descriptors:")
    for i in range(a.descriptors):
        w("  - id: %s" % ids[i])
        w("    name: \"Descriptor %d\"" % (i + 1))
        w("    variants: [%s]" % ", ".join("v%d" % (b + 1) for b in range(n[i])))
    if a.consistency:
        w("")
        w("consistency:")
        for i in range(a.descriptors):
            for j in range(i + 1, a.descriptors):
                w("  - between: [%s, %s]" % (ids[i], ids[j]))
                w("    scores:")
                for _ in range(n[i]):
                    w("      - [%s]" % ", ".join("%2d" % entry() for _ in range(n[j])))
    if a.cross:
        w("")
        w("cross_impact:")
        for i in range(a.descriptors):
            for j in range(a.descriptors):
                if i == j:
                    continue
                w("  - from: %s" % ids[i])
                w("    to: %s" % ids[j])
                w("    impacts:")
                for _ in range(n[i]):
                    w("      - [%s]" % ", ".join("%2d" % entry() for _ in range(n[j])))
    text = "\n".join(out) + "\n"
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
