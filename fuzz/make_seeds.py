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


def movies():
    for fn in ('movies.csv', 'movies.dat', 'u.item', 'tiny_movies.csv'):
        out('movies', fn, rd('data', fn))
    out('movies', 'quoted.csv', b'movieId,title,genres\n1,"A, ""B"" (1999)",Drama|Comedy\n2,C,(no genres listed)\n')
    out('movies', 'crlf.csv', b'\xef\xbb\xbfmovieId,title,genres\r\n1,A,Drama\r\n\r\n')
    out('movies', 'latin1.item', b'7|Caf\xe9 (1990)|01-Jan-1990||http://x|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1\n')
    out('movies', 'utf8.dat', b'5::Am\xc3\xa9lie (2001)::Comedy|Romance\n6::X::\n')


def yaml():
    d = os.path.join(FIX, 'yaml')
    for fn in sorted(os.listdir(d)):
        if fn.endswith('.yaml'):
            out('yaml', fn, rd('yaml', fn))
    for fn in sorted(os.listdir(os.path.join(FIX, 'tune'))):
        out('yaml', 'tune-' + fn, rd('tune', fn))
    out('yaml', 'experiment-resolved.yaml', rd('results', 'tiny', 'experiment.yaml')
        .replace(b'../shared/data/ml-100k/u.data', b'u.data').replace(b'../shared/data/ml-100k/u.item', b'movies.csv'))
    out('yaml', 'ranges.yaml', b'data: {ratings: ratings.csv}\nals:\n  rank: {min: 2, max: 8, num: 4}\n'
        b'  regParam: {min: 0.01, max: 1, num: 3, log: true}\nmetric: precision@5\n')
    out('yaml', 'implicit.yaml', b'data:\n  ratings: ratings.dat\n  format: dat\nals: {rank: [2], implicitPrefs: true, alpha: [1, 40], solver: cg, cgSteps: 2, coldStartStrategy: drop}\n'
        b'split: {numFolds: 2, testFraction: 0, scheme: per_user}\nmetric: map@10\n')


MODEL_FILES = ['model.yaml', 'user_factors.npy', 'item_factors.npy', 'user_ids.txt', 'item_ids.txt',
               'user_bias.npy', 'item_bias.npy', 'seen.csr']


def folder_input(files, names):
    """files: name -> bytes (absent names are left out) -> mask byte + FZ_SEP-joined parts."""
    mask = sum(1 << i for i, n in enumerate(names) if n in files)
    return bytes([mask]) + SEP.join(files[n] for n in names if n in files)


def npy(rows, cols, vals=None, descr='<f4', order='False'):
    hdr = "{'descr': '%s', 'fortran_order': %s, 'shape': (%d, %d), }" % (descr, order, rows, cols)
    hdr = hdr.encode() + b' ' * (63 - (len(hdr) + 10) % 64) + b'\n'
    vals = vals if vals is not None else [0.25 * (i % 7) - 0.5 for i in range(rows * cols)]
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr + struct.pack('<%df' % len(vals), *vals)


def csr(nrows, ncols, rows):
    ptr, idx, val = [0], [], []
    for r in rows:
        for c, v in r:
            idx.append(c); val.append(v)
        ptr.append(len(idx))
    return (b'ALSCSR1\n' + struct.pack('<IIQ', nrows, ncols, len(idx)) + struct.pack('<%dQ' % len(ptr), *ptr)
            + struct.pack('<%dI' % len(idx), *idx) + struct.pack('<%df' % len(val), *val))


def model():
    def yml(bias, files, nu=3, ni=4, rank=2, implicit='false'):
        return (f'format_version: 1\nalstune_version: 0.1.0\nrank: {rank}\nregParam: 0.1\nmaxIter: 5\n'
                f'implicitPrefs: {implicit}\nalpha: 1\nnonnegative: false\nbias: {bias}\nmu: 3.5\nseed: 42\n'
                f'solver: cholesky\ncgSteps: 3\nnusers: {nu}\nnitems: {ni}\ndata_sha256: ""\n'
                f'files: [{", ".join(files)}]\n').encode()
    seen = csr(3, 4, [[(0, 4.0), (2, 3.0)], [(1, 5.0)], []])
    base = {'user_factors.npy': npy(3, 2), 'item_factors.npy': npy(4, 2),
            'user_ids.txt': b'u1\nu2\nu3\n', 'item_ids.txt': b'm1\nm2\nm3\nm4\n'}
    f4 = ['user_factors.npy', 'item_factors.npy', 'user_ids.txt', 'item_ids.txt']
    out('model', 'plain', folder_input(dict(base, **{'model.yaml': yml('false', f4)}), MODEL_FILES))
    out('model', 'seen', folder_input(dict(base, **{'model.yaml': yml('false', f4 + ['seen.csr']), 'seen.csr': seen}), MODEL_FILES))
    out('model', 'bias', folder_input(dict(base, **{
        'model.yaml': yml('true', f4 + ['user_bias.npy', 'item_bias.npy', 'seen.csr']), 'seen.csr': seen,
        'user_bias.npy': npy(3, 1), 'item_bias.npy': npy(4, 1)}), MODEL_FILES))
    out('model', 'implicit-rank1', folder_input({
        'model.yaml': yml('false', f4, nu=2, ni=2, rank=1, implicit='true'), 'user_factors.npy': npy(2, 1, [1.0, 0.0]),
        'item_factors.npy': npy(2, 1, [0.5, 2.0]), 'user_ids.txt': b'a\nb\n', 'item_ids.txt': b'x\ny\n'}, MODEL_FILES))
    out('model', 'fortran-f8', folder_input(dict(base, **{'model.yaml': yml('false', f4),
        'user_factors.npy': npy(3, 2, descr='<f8', order='True')}), MODEL_FILES))
    out('model', 'missing-ids', folder_input({'model.yaml': yml('false', f4), 'user_factors.npy': npy(3, 2)}, MODEL_FILES))
    # a model written by alstune train, when the binary is at hand (ALSTUNE=path or ./alstune)
    exe = os.environ.get('ALSTUNE', os.path.join(os.getcwd(), 'alstune'))
    if os.access(exe, os.X_OK):
        import subprocess, tempfile
        for extra in ([], ['--bias'], ['--implicitPrefs', '--nonnegative']):
            with tempfile.TemporaryDirectory() as t:
                subprocess.run([exe, 'train', os.path.join(FIX, 'data', 'tiny.csv'), '-k', '2', '-n', '2', '-q',
                                '-o', t + '/m'] + extra, check=True)
                files = {n: open(os.path.join(t, 'm', n), 'rb').read() for n in MODEL_FILES
                         if os.path.exists(os.path.join(t, 'm', n))}
                out('model', 'train' + ''.join(extra).replace('--', '-'), folder_input(files, MODEL_FILES))


RESULT_FILES = ['summary.csv', 'iterations.csv', 'folds.csv', 'experiment.yaml', 'best.yaml', 'provenance.yaml',
                'trials.csv', 'rungs.csv']


def results():
    tiny = {n: rd('results', 'tiny', n) for n in RESULT_FILES[:6]}
    out('results', 'tiny', folder_input(tiny, RESULT_FILES))
    out('results', 'summary-only', folder_input({'summary.csv': tiny['summary.csv']}, RESULT_FILES))
    small = {'summary.csv': b'position,cell,rank,regParam,maxIter,alpha,implicitPrefs,nonnegative,bias,metric,mean,std,min,max,n_folds\r\n'
             b'1,1,4,0.1,5,1,true,false,false,ndcg@5,0.5,0.01,0.49,0.51,2\r\n2,0,2,0.1,5,1,true,false,false,ndcg@5,nan,nan,nan,nan,2\r\n',
             'best.yaml': b"cell: 1\nparams: {rank: 4, regParam: 0.1, maxIter: 5}\nmetric: ndcg@5\ncv: {mean: 0.5}\n"
             b"test: {metric: ndcg@5, value: 0.45, n_test: 10}\n",
             'experiment.yaml': b"name: 'small'\nals:\n  rank:\n    - 2\n    - 4\n  maxIter: [5]\ncells:\n  - a: 1\n  - {a: 2}\n"}
    out('results', 'small-ranking', folder_input(small, RESULT_FILES))
    # a pruned search (issue 12): trials.csv with budget and state, rungs.csv
    pruned = {n: rd('results', 'pruned', n) for n in ['summary.csv', 'experiment.yaml', 'trials.csv', 'rungs.csv']}
    out('results', 'pruned', folder_input(pruned, RESULT_FILES))
    for fn in RESULT_FILES[:6]:
        if fn.endswith('.yaml'):
            out('yflat', fn, tiny[fn])
    for fn in sorted(os.listdir(os.path.join(TOP, 'configs', 'baselines'))):
        with open(os.path.join(TOP, 'configs', 'baselines', fn), 'rb') as f:
            b = f.read()
        out('yflat', 'baseline-' + fn, b)
        out('baseline', fn, b''.join(b.splitlines(True)[:24]))
    out('yflat', 'lists.yaml', small['experiment.yaml'] + b"q: \"a\\\"b\" # c\nx: ~\ny: null\nz: ''\n")
    tinyb = (b'experiment: "tiny"\nmetric: rmse\ndirection: lower\ntolerance: 0.01\ntolerance_kind: relative\n'
             b'alstune_version: "0.1.0"\ndata_sha256: 06f8a8b5bd6b1e7a7d7f1f0d6c1f4e0b9f3b5d1a2c4e6f8091a2b3c4d5e6f708\n'
             b'best: {cell: 7, rank: 10, regParam: 0.1, maxIter: 10, alpha: 1, implicitPrefs: false, nonnegative: false, bias: false, mean: 0.9216, std: 0.0072}\n'
             b'test: {metric: rmse, value: 0.925}\ncells:\n'
             b'  - {cell: 7, rank: 10, regParam: 0.1, maxIter: 10, alpha: 1, implicitPrefs: false, nonnegative: false, bias: false, mean: 0.9216}\n'
             b'  - {cell: 3, rank: 5, regParam: 0.1, maxIter: 10, alpha: 1, implicitPrefs: false, nonnegative: false, bias: false, mean: 0.90}\n')
    out('baseline', 'tiny.yaml', tinyb)


def main():
    which = sys.argv[1:] or [k for k in GEN]
    for t in which:
        GEN[t]()


GEN = {'ratings': ratings, 'movies': movies, 'yaml': yaml, 'model': model, 'results': results, 'baseline': results, 'yflat': results}
if __name__ == '__main__':
    main()
