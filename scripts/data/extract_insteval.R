#!/usr/bin/env Rscript
# Extract InstEval (ETH Zurich lecture evaluations; Debian r-cran-lme4 1.1-31-1, GPL >= 2) for CG-KGR, following
# docs/research/rec_ws.md §1d.2 (KG: lecturer -dept-> department, lecturer -mode(lectage)-> age bucket,
# lecturer -gives_service-> flag) and the KGCN/CG-KGR rating-file conventions of §1a (implicit feedback from a
# rating threshold, per user as many negatives as positives drawn uniformly from never-rated items).
#
# Choices that §1d leaves open (documented in data/README.md):
#   * positive = rating >= 4 (KGCN's threshold for its explicit 1-5 star data set, MovieLens; InstEval's y is
#     1 'poor' .. 5 'very good'); items the user rated below 4 are neither positives nor negative candidates;
#     users without any positive are dropped (as KGCN does);
#   * lecture_age of a lecturer = most frequent `lectage` over the lecturer's ratings (ties -> lowest level);
#   * service flag of a lecturer = 1 if any of the lecturer's rated lectures is a service lecture, else 0;
#   * department is constant per lecturer in the data (checked below).
#   * negatives: RNGkind("Mersenne-Twister", "Inversion", "Rejection"), set.seed(2021) (CG-KGR's seed); users in
#     increasing user index; for each, sample.int over that user's candidate items in increasing item index.
#
# Outputs (tab-separated KGCN files have no header; CSVs have one):
#   ratings.csv              raw ratings: student,lecturer,rating,studage,lectage,service,department (73 421 rows)
#   items.csv                item attribute table: lecturer,department,lecture_age,service (1 128 rows)
#   ratings_final.txt        user \t item \t label  (KGCN format; user/item = 0-based indices)
#   kg_final.txt             head \t relation \t tail (entity/relation indices; items are entities 0..n_item-1)
#   user_index.csv           user,student       (index -> original student code)
#   item_index2entity_id.txt lecturer \t entity  (original lecturer code -> item/entity index, as KGCN ships)
#   entities.csv             entity,type,value  (every entity id)
#   relations.csv            relation,name
#
# Usage: Rscript scripts/data/extract_insteval.R [lme4 package dir] [output dir]

args <- commandArgs(trailingOnly = TRUE)
script_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
repo_root <- normalizePath(file.path(dirname(sub("^--file=", "", script_arg[1])), "..", ".."))
pkg_dir <- if (length(args) >= 1) args[1] else system.file(package = "lme4")
out_dir <- if (length(args) >= 2) args[2] else file.path(repo_root, "data", "insteval")
if (pkg_dir == "" || !file.exists(file.path(pkg_dir, "data", "Rdata.rdb"))) {
  stop("lme4 data DB not found (expected <pkg>/data/Rdata.rdb); install r-cran-lme4 or pass its directory")
}
THRESHOLD <- 4L
SEED <- 2021L

e <- new.env()
invisible(lazyLoad(file.path(pkg_dir, "data", "Rdata"), envir = e))
d <- get("InstEval", envir = e)
if (nrow(d) != 73421L || nlevels(d$s) != 2972L || nlevels(d$d) != 1128L) {
  stop(sprintf("unexpected InstEval size: %d rows, %d students, %d lecturers", nrow(d), nlevels(d$s), nlevels(d$d)))
}
if (anyNA(d)) stop("InstEval contains NA")
if (any(duplicated(d[, c("s", "d")]))) stop("duplicate (student, lecturer) pairs")

student <- as.integer(as.character(d$s))
lecturer <- as.integer(as.character(d$d))
rating <- as.integer(d$y)
lectage <- as.integer(as.character(d$lectage))
service <- as.integer(as.character(d$service))
dept <- as.integer(as.character(d$dept))

write_atomic <- function(x, path, sep = ",", col.names = TRUE) {
  tmp <- paste0(path, ".tmp-", Sys.getpid())
  write.table(x, tmp, sep = sep, row.names = FALSE, col.names = col.names, quote = FALSE)
  if (!file.rename(tmp, path)) stop("cannot rename ", tmp, " to ", path)
}
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

# 1. Raw ratings, original codes, original row order.
write_atomic(data.frame(student = student, lecturer = lecturer, rating = rating,
                        studage = as.integer(as.character(d$studage)), lectage = lectage,
                        service = service, department = dept),
             file.path(out_dir, "ratings.csv"))

# 2. Item attribute table (one row per lecturer, increasing lecturer code = item index order).
lecturers <- sort(unique(lecturer))
by_lect <- split(seq_along(lecturer), factor(lecturer, levels = lecturers))
item_dept <- vapply(by_lect, function(r) { u <- unique(dept[r]); if (length(u) != 1) NA_integer_ else u }, 0L)
if (anyNA(item_dept)) stop("a lecturer has ratings in more than one department; the lecturer -> department map is not functional")
item_age <- vapply(by_lect, function(r) { tab <- tabulate(lectage[r], nbins = 6L); which.max(tab) }, 0L)
item_service <- vapply(by_lect, function(r) as.integer(any(service[r] == 1L)), 0L)
items <- data.frame(lecturer = lecturers, department = item_dept, lecture_age = item_age, service = item_service)
write_atomic(items, file.path(out_dir, "items.csv"))

# 3. KG. Items are entities 0..n_item-1 (increasing lecturer code); attribute entities follow, grouped by
#    relation, in increasing attribute value. Relations: 0 department, 1 lecture_age, 2 gives_service.
n_item <- length(lecturers)
rel_names <- c("lecturer.department", "lecturer.lecture_age", "lecturer.gives_service")
attr_cols <- list(department = items$department, lecture_age = items$lecture_age, service = items$service)
ent_type <- rep("lecturer", n_item)
ent_value <- lecturers
next_id <- n_item
kg <- NULL
for (k in seq_along(attr_cols)) {
  vals <- sort(unique(attr_cols[[k]]))
  ids <- next_id + seq_along(vals) - 1L
  next_id <- next_id + length(vals)
  ent_type <- c(ent_type, rep(names(attr_cols)[k], length(vals)))
  ent_value <- c(ent_value, vals)
  kg <- rbind(kg, data.frame(head = 0:(n_item - 1L), relation = k - 1L, tail = ids[match(attr_cols[[k]], vals)]))
}
write_atomic(kg, file.path(out_dir, "kg_final.txt"), sep = "\t", col.names = FALSE)
write_atomic(data.frame(entity = seq_along(ent_type) - 1L, type = ent_type, value = ent_value),
             file.path(out_dir, "entities.csv"))
write_atomic(data.frame(relation = seq_along(rel_names) - 1L, name = rel_names), file.path(out_dir, "relations.csv"))
write_atomic(data.frame(lecturer = lecturers, entity = 0:(n_item - 1L)),
             file.path(out_dir, "item_index2entity_id.txt"), sep = "\t", col.names = FALSE)

# 4. Implicit ratings with 1:1 uniform negatives (KGCN format).
item_idx <- match(lecturer, lecturers) - 1L
pos <- rating >= THRESHOLD
users <- sort(unique(student[pos]))  # users with >= 1 positive, increasing student code = user index order
RNGkind(kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
set.seed(SEED)
rated_by <- split(item_idx, factor(student, levels = users))
pos_by <- split(item_idx[pos], factor(student[pos], levels = users))
out_u <- vector("list", length(users))
out_i <- vector("list", length(users))
out_l <- vector("list", length(users))
all_items <- 0:(n_item - 1L)
for (u in seq_along(users)) {
  p <- sort(pos_by[[u]])
  cand <- setdiff(all_items, rated_by[[u]])  # increasing item index
  if (length(cand) < length(p)) stop(sprintf("student %d: fewer unrated items than positives", users[u]))
  neg <- cand[sample.int(length(cand), length(p))]
  out_u[[u]] <- rep(u - 1L, 2L * length(p))
  out_i[[u]] <- c(p, neg)
  out_l[[u]] <- rep(c(1L, 0L), each = length(p))
}
rf <- data.frame(user = unlist(out_u), item = unlist(out_i), label = unlist(out_l))
write_atomic(rf, file.path(out_dir, "ratings_final.txt"), sep = "\t", col.names = FALSE)
write_atomic(data.frame(user = seq_along(users) - 1L, student = users), file.path(out_dir, "user_index.csv"))

cat(sprintf(paste0("insteval: %d ratings, %d students, %d lecturers, %d departments (lme4 %s)\n",
                   "  implicit (rating >= %d): %d positives, %d users kept (%d dropped), %d rows in ratings_final.txt\n",
                   "  KG: %d entities (%d items), %d relations, %d triples; items without positives: %d\n"),
            nrow(d), length(unique(student)), n_item, length(unique(dept)),
            as.character(packageVersion("lme4", lib.loc = dirname(pkg_dir))),
            THRESHOLD, sum(pos), length(users), length(unique(student)) - length(users), nrow(rf),
            length(ent_type), n_item, length(rel_names), nrow(kg), sum(!(all_items %in% item_idx[pos]))))
