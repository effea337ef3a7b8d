# docs/tutorial.md, 'Your own tools': the R route, run by test_cliout.
# usage: Rscript tutorial_r.R TABLES_DIR
tables <- commandArgs(trailingOnly = TRUE)[1]
# --- tutorial: R
p <- read.csv(file.path(tables, "scenario.csv"), encoding = "UTF-8")
p$scenario <- factor(p$scenario, levels = unique(p$scenario[order(p$scenario_order)]))
wide <- xtabs(probability ~ year + scenario, data = p)
print(round(tail(wide, 3), 3))
# --- end
stopifnot(identical(levels(p$scenario), c("En gemensam färd", "Genom forsen", "Smart City Line", "Jättarnas kamp")))
stopifnot(max(abs(rowSums(wide) - 1)) < 1e-12)
