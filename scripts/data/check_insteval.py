#!/usr/bin/python3
"""Independent consistency check of data/insteval: the KGCN-style files must follow from ratings.csv and items.csv
by the recipe in data/README.md (positive = rating >= 4; per user as many negatives as positives, each never rated
by that user; KG = one triple per lecturer and relation). Exits non-zero on the first violation.

Usage: /usr/bin/python3 scripts/data/check_insteval.py [data/insteval]
"""
import csv
import sys
from collections import Counter, defaultdict

root = sys.argv[1] if len(sys.argv) > 1 else "data/insteval"
rows = list(csv.DictReader(open(f"{root}/ratings.csv")))
items = list(csv.DictReader(open(f"{root}/items.csv")))
lect2item = {int(r["lecturer"]): i for i, r in enumerate(items)}
users = {int(r["student"]): int(r["user"]) for r in csv.DictReader(open(f"{root}/user_index.csv"))}
rated, pos = defaultdict(set), defaultdict(set)
for r in rows:
    s, i = int(r["student"]), lect2item[int(r["lecturer"])]
    rated[s].add(i)
    if int(r["rating"]) >= 4:
        pos[s].add(i)
assert set(users) == {s for s in pos if pos[s]}, "kept users != users with a positive"
final = [tuple(map(int, l.split("\t"))) for l in open(f"{root}/ratings_final.txt")]
by_user = defaultdict(lambda: ([], []))
for u, i, lab in final:
    by_user[u][1 - lab].append(i)
inv = {u: s for s, u in users.items()}
for u, (p, n) in by_user.items():
    s = inv[u]
    assert set(p) == pos[s] and len(p) == len(pos[s]), f"user {u}: positives differ"
    assert len(n) == len(p) and len(set(n)) == len(n), f"user {u}: negatives not 1:1 / duplicated"
    assert not (set(n) & rated[s]), f"user {u}: a negative was rated"
assert len(by_user) == len(users)
kg = [tuple(map(int, l.split("\t"))) for l in open(f"{root}/kg_final.txt")]
ents = list(csv.DictReader(open(f"{root}/entities.csv")))
cols = {0: "department", 1: "lecture_age", 2: "service"}
for h, r, t in kg:
    assert ents[t]["type"] == cols[r] and ents[t]["value"] == items[h][cols[r]], f"triple {h},{r},{t} wrong"
assert Counter(r for _, r, _ in kg) == {0: len(items), 1: len(items), 2: len(items)}
# the department recorded with each rating must be the lecturer's department
assert all(r["department"] == items[lect2item[int(r["lecturer"])]]["department"] for r in rows)
print(f"ok: {len(rows)} ratings, {len(items)} items, {len(users)} users, {len(final)} implicit rows, {len(kg)} triples")
