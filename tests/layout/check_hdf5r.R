#!/usr/bin/Rscript
# Reads every kind of scenmc results file (format version 2) with R's hdf5r,
# as docs/file-format.md shows: a table, its dimension labels and its
# coordinate variables, and checks one value each against scenmc's own tables
# (scenmc export --csv, a standalone run). Exit 77 (ctest SKIP) without hdf5r.
# usage: check_hdf5r.R DIR   (DIR written by make_files.sh)
if (!suppressMessages(requireNamespace("hdf5r", quietly = TRUE))) {
  cat("SKIP: R package hdf5r missing\n")
  quit(status = 77)
}
suppressMessages(library(hdf5r))
dir <- commandArgs(trailingOnly = TRUE)[1]
failures <- 0
check <- function(ok, what) {
  if (!isTRUE(ok)) {
    cat("FAIL:", what, "\n")
    failures <<- failures + 1
  }
}
labels <- function(ds) rev(h5attr(ds, "DIMENSION_LABELS"))  # R sees the dimensions reversed

# P(scenario, year) of a group: a matrix [scenario, year] with dimnames from the group's coordinates.
scenario_table <- function(f, group) {
  p <- f[[paste0(group, "/scenario_by_year")]]$read()
  dimnames(p) <- list(f[[paste0(group, "/scenario")]]$read(), f[[paste0(group, "/year")]]$read())
  p
}

last_row <- function(folder, table) {
  x <- read.csv(file.path(dir, folder, paste0(table, ".csv")), stringsAsFactors = FALSE)
  x[nrow(x), ]
}

for (kind in c("run", "exact", "merge")) {
  f <- H5File$new(file.path(dir, paste0(kind, ".h5")), mode = "r")
  check(h5attr(f, "format_version") == 2, paste(kind, "format_version"))
  ds <- f[["probability/scenario_transition"]]
  check(identical(labels(ds), c("to_scenario", "from_scenario", "year_from")),
        paste(kind, "transition labels", paste(labels(ds), collapse = ",")))
  check(identical(dim(ds$read()), rev(as.integer(ds$dims))) || length(ds$dims) == 3,
        paste(kind, "transition shape"))
  p <- scenario_table(f, "probability")
  r <- last_row(paste0("csv_", kind), "scenario")
  check(p[r$scenario, as.character(r$year)] == r$probability,
        paste(kind, "P(", r$scenario, r$year, ") =", p[r$scenario, as.character(r$year)], "vs", r$probability))
  check(identical(labels(f[["state_variants"]]), c("descriptor", "state")), paste(kind, "state_variants"))
  check(identical(labels(f[["model/consistency"]]), c("to_variant", "from_variant")),
        paste(kind, "model/consistency"))
  f$close_all()
}

# A sweep: the point with beta = 0.5 equals a standalone run with --beta 0.5.
f <- H5File$new(file.path(dir, "sweep.h5"), mode = "r")
params <- f[["sweep/param"]]$read()
values <- matrix(f[["sweep/value"]]$read(), nrow = length(params))  # [param, point] in R
check(identical(params, "beta"), "sweep params")
point <- which(values[1, ] == 0.5)
ds <- f[["probability/scenario_by_year"]]
check(identical(labels(ds), c("scenario", "year", "point")), paste("sweep labels", paste(labels(ds), collapse = ",")))
x <- ds$read()  # [scenario, year, point]
dimnames(x) <- list(f[["probability/scenario"]]$read(), f[["probability/year"]]$read(), NULL)
r <- last_row("csv_beta05", "scenario")
check(x[r$scenario, as.character(r$year), point] == r$probability, "sweep point beta = 0.5 vs the run")
f$close_all()

# Sensitivity: p_plus of cell X=Growth,Y=y1 equals a sweep run at its plus value.
f <- H5File$new(file.path(dir, "sensitivity.h5"), mode = "r")
ds <- f[["sensitivity/p_plus"]]
check(identical(labels(ds), c("final_scenario", "cell")), "sensitivity labels")
cells <- f[["sensitivity/cell"]]$read()
pp <- ds$read()[, cells == "X=Growth,Y=y1"]
f$close_all()
g <- H5File$new(file.path(dir, "cell_plus.h5"), mode = "r")
want <- g[["probability/scenario_by_year"]]$read()  # [scenario, year, point]: one point
n_years <- length(g[["probability/year"]]$read())
g$close_all()
want <- array(want, dim = c(length(pp), n_years))
check(all(pp == want[, n_years]), "sensitivity p_plus vs the sweep run")

# Ensemble: the quantiles lie within the members' range; the settings are there.
f <- H5File$new(file.path(dir, "ensemble.h5"), mode = "r")
e <- f[["ensemble"]]
check(h5attr(e, "n_members") == 5, "ensemble n_members")
m <- f[["ensemble/scenario_probability"]]$read()  # [scenario, year, member]
q <- f[["ensemble/scenario_quantile"]]$read()     # [scenario, year, quantile]
lv <- f[["ensemble/quantile"]]$read()
check(identical(labels(f[["ensemble/scenario_quantile"]]), c("scenario", "year", "quantile")), "ensemble labels")
med <- apply(m, c(1, 2), quantile, probs = 0.5, type = 7)  # R's type 7 = GSL's rule
check(max(abs(med - q[, , which(lv == 0.5)])) < 1e-15, "ensemble median vs R's quantile of the members")
f$close_all()

# Derivatives (sensitivity --method exact): labels, and dP/dbeta against a central
# difference of two exact solves at beta 1.5 +- 1e-4.
f <- H5File$new(file.path(dir, "derivative.h5"), mode = "r")
ds <- f[["derivative/dP_scenario"]]
check(identical(labels(ds), c("scenario", "year", "param")), "derivative labels")
d <- ds$read()  # [scenario, year, param]
dimnames(d) <- list(f[["derivative/scenario"]]$read(), f[["derivative/year"]]$read(),
                    f[["derivative/param"]]$read())
f$close_all()
fd <- sapply(c("exact_beta_plus.h5", "exact_beta_minus.h5"), function(n) {
  g <- H5File$new(file.path(dir, n), mode = "r")
  p <- g[["probability/scenario_by_year"]]$read()
  dimnames(p) <- list(g[["probability/scenario"]]$read(), g[["probability/year"]]$read())
  g$close_all()
  p["Boom", "2003"]
})
fd <- (fd[1] - fd[2]) / 2e-4
check(abs(d["Boom", "2003", "beta"] - fd) < 1e-6 * abs(fd) + 1e-9, "derivative dP/dbeta vs central difference")

if (failures > 0) {
  cat(failures, "failure(s)\n")
  quit(status = 1)
}
cat("LAYOUT HDF5R OK\n")
