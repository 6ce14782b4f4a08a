/* replay_main — a plain main() for the fuzz targets, so that `make check` (gcc, and ASan+UBSan
 * in the sanitizer build) runs every seed and regression input through the same harness, without
 * clang or libFuzzer (tests/cli/test_fuzz_regressions.sh).
 *
 *   fuzz/replay_T FILE...            run each input through fuzz_T's LLVMFuzzerTestOneInput
 *   fuzz/replay_T --unpack DIR FILE  run one input with DIR as the scratch folder and keep it:
 *                                    DIR then holds the files the input stands for and
 *                                    DIR/cli-args the alstune command line that reads them
 * Exit status 0; a violated invariant aborts, a sanitizer report exits non-zero. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int i = 1;
    if (argc > 3 && !strcmp(argv[1], "--unpack")) {
        if (mkdir(argv[2], 0700) != 0 && errno != EEXIST) {
            perror(argv[2]);
            return 2;
        }
        setenv("FUZZ_UNPACK", argv[2], 1);
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [--unpack DIR] FILE...\n", argv[0]);
        return 2;
    }
    for (; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        size_t cap = 4096, n = 0;
        uint8_t *buf = malloc(cap);
        size_t r;
        while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
            n += r;
            if (n == cap) {
                uint8_t *nb = realloc(buf, cap *= 2);
                if (!nb) {
                    free(buf);
                    buf = NULL;
                }
                buf = nb;
            }
        }
        fclose(f);
        if (!buf) {
            fprintf(stderr, "%s: out of memory\n", argv[i]);
            return 3;
        }
        /* an exact-size copy, as libFuzzer passes it, so ASan sees reads past the end */
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, buf, n);
        free(buf);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
    return 0;
}
