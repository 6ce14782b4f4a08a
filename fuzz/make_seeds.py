#!/usr/bin/env python3
"""fuzz/make_seeds.py — (re)write the seed corpora fuzz/corpus/<target>/ from tests/fixtures and
small hand-made files in the formats of docs/data.md, docs/model.md, docs/yaml.md and
docs/outputs.md (no MovieLens files: licence).  Run from the top of the tree:
    python3 fuzz/make_seeds.py [TARGET...]
Each seed is named after what it holds; inputs are laid out as the targets read them
(fuzz/fuzz_<target>.c: option bytes, then the file, or a presence mask and FZ_SEP-joined files)."""
import os, struct, sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(TOP, 'tests', 'fixtures')
SEP = b'\n%%\n'


def rd(*p):
    with open(os.path.join(FIX, *p), 'rb') as f:
        return f.read()


def out(target, name, data):
    d = os.path.join(TOP, 'fuzz', 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def ratings():
    files = {
        'csv': rd('data', 'ratings.csv'), 'crlf': rd('data', 'ratings_crlf.csv'),
        'tiny': rd('data', 'tiny.csv'), 'dat': rd('data', 'ratings.dat'),
        'sample': rd('data', 'sample_movielens_ratings.txt'), 'udata': rd('data', 'u.data'),
        'tsv': rd('data', 'generic.tsv'),
        'quoted': b'userId,movieId,rating\n"u 1","m,1",4.5\n"u""2",m2,3\n',
        'dups': b'user::item::rating\n1::2::3\n1::2::4\n2::2::1\n',
        'bom_blank': b'\xef\xbb\xbfuserId,movieId,rating\n\n1,2,3.5\n\n2,1,1e0\n',
        'bad': b'userId,movieId,rating\n1,2,x\n1,3\n2,2,5,6,7\n3,3,-0.5\n',
        'ws': b'  userId , movieId , rating \n 1 , 2 , 3 \n',
    }
    # byte 0: format | skip<<3 | dup<<4 | range<<6 | exact<<7; 1: min | max<<3; 2: cols; 3: rating col
    opts = {'auto': (0, 0, 0, 0), 'csv': (1, 0, 0, 0), 'dat': (2, 0, 0, 0), 'udata': (3, 0, 0, 0),
            'tsv_cols': (4, 0, 0x54, 6), 'skip_first_range': (0 | 8 | 16 | 64, 0 | (2 << 3), 0, 0),
            'dup_error_exact': (32 | 128, 0, 0, 0), 'cols': (1 | 8, 0, 0x21, 3)}
    for fn, text in files.items():
        for on, b in opts.items():
            out('ratings', f'{fn}-{on}', bytes(b) + text)


def main():
    which = sys.argv[1:] or [k for k in GEN]
    for t in which:
        GEN[t]()


GEN = {'ratings': ratings}
if __name__ == '__main__':
    main()
