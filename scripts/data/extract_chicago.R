#!/usr/bin/env Rscript
# Extract the Chicago "L" ridership panel (StemGNN forecasting data) from Debian r-cran-modeldata (1.1.0-1, MIT)
# following docs/research/timeseries.md §3.2: lazy-load the package's data DB, take the 20 station
# columns named in `stations` (in that order), write a T x N matrix. Differences from the note's one-liner, as
# requested for Sheaf: a header row of station names is written, and the dates go to a separate dates.csv.
# The series has no NA (§3.1); the script refuses to write anything if that ever stops being true, because the
# reference code's per-split ffill/bfill belongs to the loader, not to the extraction.
#
# Usage: Rscript scripts/data/extract_chicago.R [modeldata package dir] [output dir]
#   defaults: the installed package (system.file(package = "modeldata")) and data/chicago-ridership
#   (relative to the repository root, found from this script's own path).

args <- commandArgs(trailingOnly = TRUE)
script_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
repo_root <- normalizePath(file.path(dirname(sub("^--file=", "", script_arg[1])), "..", ".."))
pkg_dir <- if (length(args) >= 1) args[1] else system.file(package = "modeldata")
out_dir <- if (length(args) >= 2) args[2] else file.path(repo_root, "data", "chicago-ridership")
if (pkg_dir == "" || !file.exists(file.path(pkg_dir, "data", "Rdata.rdb"))) {
  stop("modeldata data DB not found (expected <pkg>/data/Rdata.rdb); install r-cran-modeldata or pass its directory")
}

e <- new.env()
invisible(lazyLoad(file.path(pkg_dir, "data", "Rdata"), envir = e))
chicago <- get("Chicago", envir = e)
stations <- get("stations", envir = e)

m <- as.matrix(chicago[, stations])
if (!identical(dim(m), c(5698L, 20L))) stop(sprintf("unexpected shape %d x %d (expected 5698 x 20)", nrow(m), ncol(m)))
if (anyNA(m)) stop(sprintf("%d NA values in the station columns; refusing to write", sum(is.na(m))))
if (!is.numeric(m)) stop("station columns are not numeric")
dates <- chicago$date
if (any(diff(dates) != 1)) stop("dates are not consecutive days")

dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
write_atomic <- function(x, path, ...) {
  tmp <- paste0(path, ".tmp-", Sys.getpid())
  write.table(x, tmp, sep = ",", row.names = FALSE, quote = FALSE, ...)
  if (!file.rename(tmp, path)) stop("cannot rename ", tmp, " to ", path)
}
write_atomic(m, file.path(out_dir, "ridership.csv"), col.names = TRUE)
write_atomic(data.frame(date = format(dates, "%Y-%m-%d")), file.path(out_dir, "dates.csv"), col.names = TRUE)

cat(sprintf("chicago: %d days (%s .. %s) x %d stations, %d zeros, modeldata %s; written to %s\n",
            nrow(m), format(min(dates)), format(max(dates)), ncol(m), sum(m == 0),
            as.character(packageVersion("modeldata", lib.loc = dirname(pkg_dir))), out_dir))
