#!/usr/bin/env Rscript
# Export UCI Letter Recognition (Frey & Slate 1991) from Debian r-cran-mlbench (2.1-3-1, GPL-2) as a plain CSV for
# the PLRM task builder: 20 000 rows in the package's (= UCI's) original order, the 16 integer features under
# mlbench's column names, then `label` (capital letter A-Z). Conventional split: first 16 000 train, last 4 000 test.
#
# Usage: Rscript scripts/data/extract_letters.R [mlbench package dir] [output dir]
#   defaults: the installed package and data/letters (relative to the repository root).
args <- commandArgs(trailingOnly = TRUE)
script_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
repo_root <- normalizePath(file.path(dirname(sub("^--file=", "", script_arg[1])), "..", ".."))
pkg_dir <- if (length(args) >= 1) args[1] else system.file(package = "mlbench")
out_dir <- if (length(args) >= 2) args[2] else file.path(repo_root, "data", "letters")
rda <- file.path(pkg_dir, "data", "LetterRecognition.rda")
if (pkg_dir == "" || !file.exists(rda)) stop("LetterRecognition.rda not found; install r-cran-mlbench or pass its directory")

e <- new.env()
load(rda, envir = e)
d <- get("LetterRecognition", envir = e)
if (!identical(dim(d), c(20000L, 17L)) || names(d)[1] != "lettr") stop("unexpected LetterRecognition layout")
feats <- d[, -1]
if (anyNA(d) || !all(vapply(feats, function(x) is.numeric(x) && all(x == round(x)) && all(x >= 0 & x <= 15), TRUE))) {
  stop("features are not integers in 0..15")
}
out <- data.frame(lapply(feats, as.integer), label = as.character(d$lettr), check.names = FALSE)
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
path <- file.path(out_dir, "letters.csv")
tmp <- paste0(path, ".tmp-", Sys.getpid())
write.table(out, tmp, sep = ",", row.names = FALSE, quote = FALSE)
if (!file.rename(tmp, path)) stop("cannot rename ", tmp)
cat(sprintf("letters: %d rows x %d features + label, %d classes (mlbench %s); written to %s\n",
            nrow(out), ncol(feats), length(unique(out$label)),
            as.character(packageVersion("mlbench", lib.loc = dirname(pkg_dir))), path))
