/* fuzz_common.h — helpers shared by the libFuzzer targets in fuzz/ (docs/fuzzing.md).
 *
 * Loaders that take a path get the input written to a private folder under /dev/shm (tmpfs,
 * falling back to $TMPDIR or /tmp), created once per process and removed at exit.  Inputs made
 * of several files are split on FZ_SEP ("\n%%\n"); a leading byte says which files exist. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FZ_SEP "\n%%\n"
#define FZ_SEP_LEN 4

/* The fuzzers must find bugs, not report them: a violated invariant aborts (a crash). */
#define FZ_ASSERT(c)                                                                            \
    do {                                                                                        \
        if (!(c)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz invariant violated: %s\n", __FILE__, __LINE__, #c);  \
            abort();                                                                            \
        }                                                                                       \
    } while (0)

static char fz_dir_[256];

static __attribute__((unused)) void fz_rmtree_(const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    struct dirent *de;
    char p[1024];
    while ((de = readdir(dh))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
            fz_rmtree_(p);
        else
            unlink(p);
    }
    closedir(dh);
    rmdir(dir);
}

static __attribute__((unused)) void fz_cleanup_(void)
{
    if (fz_dir_[0])
        fz_rmtree_(fz_dir_);
}

/* The process's scratch folder (created on first use); FUZZ_UNPACK=DIR (fuzz/replay_main.c
 * --unpack) makes it DIR, kept at exit. */
static __attribute__((unused)) const char *fz_dir(void)
{
    const char *keep = getenv("FUZZ_UNPACK");
    if (keep && !fz_dir_[0])
        snprintf(fz_dir_, sizeof fz_dir_, "%s", keep);
    if (!fz_dir_[0]) {
        const char *bases[3] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
        for (int i = 0; i < 3 && !fz_dir_[0]; i++) {
            if (!bases[i])
                continue;
            snprintf(fz_dir_, sizeof fz_dir_, "%s/alstune-fuzz.XXXXXX", bases[i]);
            if (!mkdtemp(fz_dir_))
                fz_dir_[0] = 0;
        }
        if (!fz_dir_[0]) {
            perror("fuzz: cannot create a scratch folder");
            abort();
        }
        atexit(fz_cleanup_);
    }
    return fz_dir_;
}

/* dir/name into out. */
static __attribute__((unused)) const char *fz_path(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
    return out;
}

static __attribute__((unused)) void fz_write(const char *path, const uint8_t *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(path);
        abort();
    }
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            perror(path);
            abort();
        }
        p += w;
        n -= (size_t)w;
    }
    close(fd);
}

/* Under FUZZ_UNPACK: write DIR/cli-args, the alstune arguments (one per line) that make the
 * command line read what the input stands for; "@/" at the start of an argument stands for DIR/,
 * and an argument "--next" starts another command.
 * argv is NULL-terminated. */
static __attribute__((unused)) void fz_cli_args(const char *const *argv)
{
    if (!getenv("FUZZ_UNPACK"))
        return;
    char p[1024];
    FILE *f = fopen(fz_path(p, sizeof p, fz_dir(), "cli-args"), "w");
    if (!f) {
        perror(p);
        abort();
    }
    for (; *argv; argv++) {
        if (!strncmp(*argv, "@/", 2))
            fprintf(f, "%s/%s\n", fz_dir(), *argv + 2);
        else
            fprintf(f, "%s\n", *argv);
    }
    fclose(f);
}

/* Split [d, d+n) on FZ_SEP into at most max parts (the last part keeps any further separators).
 * Returns the number of parts (≥ 1). */
static __attribute__((unused)) size_t fz_split(const uint8_t *d, size_t n, const uint8_t **part, size_t *len, size_t max)
{
    size_t k = 0;
    while (k + 1 < max) {
        const uint8_t *s = n >= FZ_SEP_LEN ? memmem(d, n, FZ_SEP, FZ_SEP_LEN) : NULL;
        if (!s)
            break;
        part[k] = d;
        len[k] = (size_t)(s - d);
        k++;
        n -= (size_t)(s - d) + FZ_SEP_LEN;
        d = s + FZ_SEP_LEN;
    }
    part[k] = d;
    len[k] = n;
    return k + 1;
}

/* Write the files of a folder: bit i of mask set → names[i] gets the next part (an empty file
 * when the parts run out); clear → names[i] is removed.  */
static __attribute__((unused)) void fz_write_folder(const char *dir, const char *const *names, size_t nnames, unsigned mask,
                            const uint8_t *d, size_t n)
{
    const uint8_t *part[16];
    size_t len[16], np = fz_split(d, n, part, len, nnames < 16 ? nnames : 16), next = 0;
    char p[1024];
    for (size_t i = 0; i < nnames; i++) {
        fz_path(p, sizeof p, dir, names[i]);
        if (mask & (1u << i)) {
            if (next < np) {
                fz_write(p, part[next], len[next]);
                next++;
            } else {
                fz_write(p, (const uint8_t *)"", 0);
            }
        } else {
            unlink(p);
        }
    }
}

/* A valid diagnostic: a message, and (for bad input) the file it is about. */
/* FUZZ_VERBOSE=1 prints it (to see what a seed or a crash input does). */
#define FZ_CHECK_DIAG(st, d)                                                                    \
    do {                                                                                        \
        if (getenv("FUZZ_VERBOSE"))                                                             \
            fprintf(stderr, "status %d: %s:%ld:%ld: %s\n", (int)(st), (d).path, (d).line,        \
                    (d).col, (d).msg);                                                          \
        FZ_ASSERT((d).msg[0] != 0);                                                             \
        FZ_ASSERT((st) != ALS_E_INTERNAL);                                                      \
    } while (0)

#endif
