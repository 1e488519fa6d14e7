#!/usr/bin/python3
"""Reference numbers for the molecule code (src/data/chem), from Debian's RDKit.

Writes test/fixtures/chem/reference.json with numbers only (no molecules), for the shipped
data/herg/herg.csv and data/chem-pretrain/smiles.csv:
- per hERG molecule: its Bemis-Murcko scaffold group (MurckoScaffoldSmiles(includeChirality=False);
  groups numbered by first occurrence), and one 32-bit FNV-1a hash of all scaffold SMILES joined by
  newlines (the strings themselves, not just the partition);
- the official pretrain-gnns scaffold split of hERG (chem/splitters.py scaffold_split rules, 0.8/0.1/0.1,
  scaffolds without chirality) as one character per molecule (0 train, 1 valid, 2 test), and the split
  sizes with includeChirality=True for comparison;
- per hERG molecule: the FNV-1a hash of its Hu et al. features (mol_to_graph_data_obj_simple
  semantics: x, edge_index, edge_attr), as 8 hex digits, concatenated;
- RDKit's GetBondDir() for every hERG or pre-training molecule whose SMILES has / or \\, as
  "<h|p><index>:<bonds>:<bond>=<dir>,..." listing the bonds with a direction (1 ENDUPRIGHT, 2 ENDDOWNRIGHT);
- full feature arrays and Morgan on-bits (radius 2, 2048 bits) for 30 chosen molecules.

Usage: /usr/bin/python3 scripts/data/chem_reference.py      (apt-get install -y python3-rdkit)
"""
import csv
import json
import os
import sys

import rdkit
from rdkit import Chem
from rdkit.Chem import AllChem
from rdkit.Chem.Scaffolds import MurckoScaffold

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'chem', 'reference.json')

CHIRAL = {
    Chem.rdchem.ChiralType.CHI_UNSPECIFIED: 0,
    Chem.rdchem.ChiralType.CHI_TETRAHEDRAL_CW: 1,
    Chem.rdchem.ChiralType.CHI_TETRAHEDRAL_CCW: 2,
}
BOND = {
    Chem.rdchem.BondType.SINGLE: 0,
    Chem.rdchem.BondType.DOUBLE: 1,
    Chem.rdchem.BondType.TRIPLE: 2,
    Chem.rdchem.BondType.AROMATIC: 3,
}
DIR = {
    Chem.rdchem.BondDir.NONE: 0,
    Chem.rdchem.BondDir.ENDUPRIGHT: 1,
    Chem.rdchem.BondDir.ENDDOWNRIGHT: 2,
}


def fnv1a32(text):
    h = 0x811C9DC5
    for b in text.encode('utf-8'):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def features(mol):
    """Hu et al. features: x [n,2], edges (2 per bond, begin->end then end->begin), edge attrs [e,2]."""
    x = []
    for atom in mol.GetAtoms():
        x.append([atom.GetAtomicNum() - 1, CHIRAL[atom.GetChiralTag()]])
    src, dst, attr = [], [], []
    for bond in mol.GetBonds():
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        a = [BOND[bond.GetBondType()], DIR[bond.GetBondDir()]]
        src += [i, j]
        dst += [j, i]
        attr += [a, a]
    return x, src, dst, attr


def join(v):
    return ','.join(str(int(t)) for t in v)


def feature_hash(x, src, dst, attr):
    """FNV-1a of 'x|src|dst|edge_attr', each a comma-joined row-major list."""
    return fnv1a32('|'.join([join(c for row in x for c in row), join(src), join(dst), join(c for row in attr for c in row)]))


def official_scaffold_split(scaffolds, frac_train=0.8, frac_valid=0.1):
    groups = {}
    for i, s in enumerate(scaffolds):
        groups.setdefault(s, []).append(i)
    ordered = sorted(groups.values(), key=lambda g: (len(g), g[0]), reverse=True)
    n = len(scaffolds)
    train_cut, valid_cut = frac_train * n, (frac_train + frac_valid) * n
    assign = [None] * n
    n_train = n_valid = 0
    for g in ordered:
        if n_train + len(g) > train_cut:
            if n_train + n_valid + len(g) > valid_cut:
                side = 2
            else:
                side = 1
                n_valid += len(g)
        else:
            side = 0
            n_train += len(g)
        for i in g:
            assign[i] = side
    return assign


def main():
    with open(os.path.join(ROOT, 'data', 'herg', 'herg.csv'), newline='') as f:
        herg = [r['smiles'] for r in csv.DictReader(f)]
    with open(os.path.join(ROOT, 'data', 'chem-pretrain', 'smiles.csv'), newline='') as f:
        pretrain = [r['smiles'] for r in csv.DictReader(f)]
    mols = [Chem.MolFromSmiles(s) for s in herg]
    if any(m is None for m in mols):
        sys.exit('a hERG SMILES does not parse')

    scaffolds = [MurckoScaffold.MurckoScaffoldSmiles(smiles=s, includeChirality=False) for s in herg]
    scaffolds_chiral = [MurckoScaffold.MurckoScaffoldSmiles(smiles=s, includeChirality=True) for s in herg]
    first = {}
    group = [first.setdefault(s, len(first)) for s in scaffolds]
    split = official_scaffold_split(scaffolds)
    split_chiral = official_scaffold_split(scaffolds_chiral)

    hashes = ''.join('%08x' % feature_hash(*features(m)) for m in mols)

    def directions(smiles_list, tag):
        out = []
        for i, s in enumerate(smiles_list):
            if '/' not in s and '\\' not in s:
                continue
            m = Chem.MolFromSmiles(s)
            dirs = [DIR[b.GetBondDir()] for b in m.GetBonds()]
            out.append('%s%d:%d:%s' % (tag, i, len(dirs), ','.join('%d=%d' % (k, d) for k, d in enumerate(dirs) if d)))
        return out

    # 30 molecules: the first 10 hERG, the first 10 hERG with E/Z marks, the first 10 hERG with @ marks.
    chosen = list(range(10))
    chosen += [i for i, s in enumerate(herg) if ('/' in s or '\\' in s) and i not in chosen][:10]
    chosen += [i for i, s in enumerate(herg) if '@' in s and i not in chosen][:10]
    detail = []
    for i in chosen:
        x, src, dst, attr = features(mols[i])
        fp = AllChem.GetMorganFingerprintAsBitVect(mols[i], 2, nBits=2048)
        detail.append({'index': i, 'x': x, 'src': src, 'dst': dst, 'edgeAttr': attr, 'morgan2_2048': list(fp.GetOnBits())})

    ref = {
        'rdkit': rdkit.__version__,
        'source': 'scripts/data/chem_reference.py on data/herg/herg.csv and data/chem-pretrain/smiles.csv',
        'herg': {
            'n': len(herg),
            'scaffoldGroups': len(first),
            'scaffoldGroup': group,
            'scaffoldsFnv': fnv1a32('\n'.join(scaffolds)),
            'split': ''.join(str(s) for s in split),
            'splitSizes': [split.count(k) for k in range(3)],
            'splitSizesIncludeChirality': [split_chiral.count(k) for k in range(3)],
            'scaffoldGroupsIncludeChirality': len(set(scaffolds_chiral)),
            'featureFnv': hashes,
        },
        'bondDirs': directions(herg, 'h') + directions(pretrain, 'p'),
        'molecules': detail,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(ref, f, separators=(',', ':'))
        f.write('\n')
    print(f'{OUT}: RDKit {rdkit.__version__}; {len(herg)} hERG, {len(first)} scaffold groups; split {ref["herg"]["splitSizes"]} '
          f'(includeChirality=True: {ref["herg"]["splitSizesIncludeChirality"]}); {len(ref["bondDirs"])} molecules with / or \\; {os.path.getsize(OUT)} bytes')


if __name__ == '__main__':
    main()
