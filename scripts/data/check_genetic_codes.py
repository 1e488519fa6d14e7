#!/usr/bin/env python3
"""Compare the genetic-code table embedded in src/data/bio/genetic-code.ts with NCBI's gc.prt (Debian ncbi-data,
/usr/share/ncbi/data/gc.prt, version 4.2) and, when given, with Biopython's Bio/Data/CodonTable.py (generated from
gc.prt 4.6; Debian python3-biopython 1.80).

Expected result: identical to Biopython for all 27 codes; identical to gc.prt 4.2 except code 3 (GTG start added
since), codes 27-30 (CTG = L since; 4.2 has A) and codes 32, 33 (absent from 4.2).

Usage: /usr/bin/python3 scripts/data/check_genetic_codes.py [gc.prt] [dir holding Bio/ (e.g. a dpkg -x of
       python3-biopython: <root>/usr/lib/python3/dist-packages)]
"""
import re
import sys
from pathlib import Path

repo = Path(__file__).resolve().parents[2]
ts = (repo / "src/data/bio/genetic-code.ts").read_text()
ours = {int(m[0]): (m[1], m[2]) for m in re.findall(r"id: (\d+), name: '[^']*', ncbieaa: '([A-Z*]{64})', sncbieaa: '([-M*]{64})'", ts)}
print(f"embedded codes: {sorted(ours)}")

prt_path = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/ncbi/data/gc.prt")
prt = {int(m[0]): (m[1], m[2]) for m in re.findall(r'id (\d+) ,\s*ncbieaa\s+"([A-Z*]+)",\s*sncbieaa\s+"([-A-Z*]+)"', prt_path.read_text())}
for i in sorted(set(ours) | set(prt)):
    if i not in prt:
        print(f"code {i}: not in {prt_path.name}")
    elif i not in ours:
        print(f"code {i}: MISSING from genetic-code.ts")
    elif prt[i] != ours[i]:
        diffs = [k for k in range(64) if prt[i][0][k] != ours[i][0][k] or prt[i][1][k] != ours[i][1][k]]
        print(f"code {i}: differs from {prt_path.name} at codon indices {diffs}")

if len(sys.argv) > 2:
    sys.path.insert(0, sys.argv[2])
    from Bio.Data import CodonTable as C  # noqa: E402

    bases = "TCAG"
    codons = [a + b + c for a in bases for b in bases for c in bases]
    bad = 0
    for i, t in sorted(C.unambiguous_dna_by_id.items()):
        aa = "".join(t.forward_table.get(c, "*") for c in codons)
        st = "".join("M" if c in t.start_codons else ("*" if c in t.stop_codons else "-") for c in codons)
        if ours.get(i) != (aa, st):
            bad += 1
            print(f"code {i}: differs from Biopython")
    print(f"Biopython: {len(C.unambiguous_dna_by_id)} codes, {bad} differ")
