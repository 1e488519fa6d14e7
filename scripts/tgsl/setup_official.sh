#!/bin/sh
# Extract the official TGSL code (github ViktorAxelsen/TGSL, MIT) into /tmp and make a reduced-width
# copy by textual substitution only.  Nothing from the official repository is written into Sheaf.
#
#   sh scripts/tgsl/setup_official.sh [-w WIDTH] [-n NEIGHBOURS] [-o OUT] [-s SOURCE]
#
#   WIDTH       feature width replacing the hard-wired 172          (default 32)
#   NEIGHBOURS  TGAT neighbours replacing the hard-wired 20         (default 10)
#   OUT         output folder                                        (default /tmp/tgsl-official)
#   SOURCE      bare git dir or clone of ViktorAxelsen/TGSL; if it does not exist the repository is
#               cloned from GitHub into it      (default /work/.mirror/ViktorAxelsen+TGSL/repo)
#
# Result:
#   OUT/src/{TGAT+TGSL,GraphMixer+TGSL}               the official files at HEAD, unchanged
#   OUT/w<W>-n<N>/{TGAT+TGSL,GraphMixer+TGSL}         the same files after the substitutions below
#   OUT/w<W>-n<N>/SUBSTITUTIONS.diff                  `diff -ru` of src -> reduced copy
#
# Substitutions (integer literal tokens in code only; comments and strings are untouched; every
# count is checked, so a changed upstream file makes the script fail instead of silently differing):
#   TGAT+TGSL/train.py           172 -> W  x4  (edge/node feature zero-padding, lines 256-261)
#   TGAT+TGSL/MTL.py             172 -> W  x1  (MTL(dim=172): MoCo queue width)
#   TGAT+TGSL/MTL.py              20 -> N  x2  (the two tem_conv(train_node_cut, max_ts, 2, 20, ...))
#   TGAT+TGSL/view_learner.py    172 -> W  x2  (TimeMapping(time_dim=172), ETGNN(time_dim=172))
#   TGAT+TGSL/TGAT.py            172 -> W  x1  (GraphMixerTE(time_dim=172) default; TGAN passes the width anyway)
#   TGAT+TGSL/process.py         172 -> W  x1  (escorts zero features; unused for JODIE CSVs)
#   TGAT+TGSL/config.py           20 -> N  x1  (N_DEGREE = 20)
#   GraphMixer+TGSL/MTL.py       172 -> W  x1  (MTL(dim=172))
#   GraphMixer+TGSL/view_learner.py 172 -> W x2 (TimeMapping / ETGNN time_dim)
#   GraphMixer+TGSL/process.py   172 -> W  x1  (escorts zero features)
#   GraphMixer+TGSL/utils/DataLoader.py 172 -> W x6 (NODE_FEAT_DIM = EDGE_FEAT_DIM = 172 and the paddings, twice)
# Not substituted: GraphMixer+TGSL/utils/load_configs.py --position_feat_dim 172 (DyGFormer only);
# GraphMixer's neighbour count is a command-line argument (--num_neighbors), not hard-wired.
set -eu

W=32
N=10
OUT=/tmp/tgsl-official
SRC=/work/.mirror/ViktorAxelsen+TGSL/repo
while getopts w:n:o:s: opt; do
  case $opt in
    w) W=$OPTARG ;;
    n) N=$OPTARG ;;
    o) OUT=$OPTARG ;;
    s) SRC=$OPTARG ;;
    *) echo "usage: $0 [-w WIDTH] [-n NEIGHBOURS] [-o OUT] [-s SOURCE]" >&2; exit 2 ;;
  esac
done

if [ ! -e "$SRC" ]; then
  git clone --bare https://github.com/ViktorAxelsen/TGSL "$SRC"
fi

mkdir -p "$OUT"
rm -rf "$OUT/src"
mkdir -p "$OUT/src"
git -C "$SRC" archive HEAD | tar -x -C "$OUT/src"
git -C "$SRC" rev-parse HEAD > "$OUT/src/COMMIT"

RED="$OUT/w$W-n$N"
rm -rf "$RED"
mkdir -p "$RED"
cp -r "$OUT/src/TGAT+TGSL" "$OUT/src/GraphMixer+TGSL" "$RED/"

/usr/bin/python3 - "$RED" "$W" "$N" <<'PY'
import io
import sys
import tokenize

red, W, N = sys.argv[1], sys.argv[2], sys.argv[3]


def sub_tokens(path, old, new, expected, context=None):
    """Replace NUMBER tokens equal to `old` (optionally only on lines containing `context`)."""
    text = open(path).read()
    toks = list(tokenize.generate_tokens(io.StringIO(text).readline))
    lines = text.splitlines(keepends=True)
    hits = []
    for t in toks:
        if t.type == tokenize.NUMBER and t.string == old:
            line = lines[t.start[0] - 1]
            if context is None or context in line:
                hits.append(t.start)
    if len(hits) != expected:
        sys.exit(f'{path}: expected {expected} x {old!r} (context {context!r}), found {len(hits)}')
    for (row, col) in sorted(hits, reverse=True):
        line = lines[row - 1]
        assert line[col:col + len(old)] == old
        lines[row - 1] = line[:col] + new + line[col + len(old):]
    open(path, 'w').write(''.join(lines))
    return len(hits)


T = f'{red}/TGAT+TGSL'
G = f'{red}/GraphMixer+TGSL'
plan = [
    (f'{T}/train.py', '172', W, 4, None),
    (f'{T}/MTL.py', '172', W, 1, None),
    (f'{T}/MTL.py', '20', N, 2, 'tem_conv(train_node_cut, max_ts, 2, 20'),
    (f'{T}/view_learner.py', '172', W, 2, None),
    (f'{T}/TGAT.py', '172', W, 1, None),
    (f'{T}/process.py', '172', W, 1, None),
    (f'{T}/config.py', '20', N, 1, 'N_DEGREE'),
    (f'{G}/MTL.py', '172', W, 1, None),
    (f'{G}/view_learner.py', '172', W, 2, None),
    (f'{G}/process.py', '172', W, 1, None),
    (f'{G}/utils/DataLoader.py', '172', W, 6, None),
]
for path, old, new, n, ctx in plan:
    sub_tokens(path, old, new, n, ctx)
    print(f'  {path[len(red) + 1:]}: {n} x {old} -> {new}')
PY

(cd "$OUT" && diff -ru src/TGAT+TGSL "w$W-n$N/TGAT+TGSL"; diff -ru src/GraphMixer+TGSL "w$W-n$N/GraphMixer+TGSL") \
  > "$RED/SUBSTITUTIONS.diff" || true
echo "official code:  $OUT/src (commit $(cat "$OUT/src/COMMIT"))"
echo "reduced copy:   $RED  (width $W, $N neighbours; see $RED/SUBSTITUTIONS.diff)"
