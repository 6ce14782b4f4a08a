/* cmd_model.h — helpers shared by the model subcommands (cmd_model.c: recommend, similar,
 * foldin; cmd_evaluate.c: predict, evaluate).  Internal to the alstune binary. */
#ifndef ALS_CMD_MODEL_H
#define ALS_CMD_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "als_data.h"
#include "als_model.h"
#include "als_util.h"

typedef enum { OUT_TEXT = 0, OUT_CSV, OUT_JSON } cm_format;

/* "text" | "csv" | "json"; prints a usage error and returns 2 when unknown. */
int cm_parse_format(const char *cmd, const char *s, cm_format *f);

/* Output to -o FILE (written under a temporary name, renamed on success) or stdout. */
typedef struct {
    FILE *f;
    als_afile a;
    bool to_file;
} cm_out;
als_status cm_out_open(cm_out *o, const char *path, als_diag *d); /* path NULL: stdout */
als_status cm_out_commit(cm_out *o, als_diag *d);
void cm_out_abort(cm_out *o);

/* Write s as a JSON string literal. */
static inline void cm_json_str(FILE *f, const char *s) { als_json_str(f, s); } /* als_util */

/* A growing list of id strings from repeated and comma-separated options. */
typedef struct {
    char **v;
    size_t n, cap;
} cm_ids;
int cm_ids_add_list(cm_ids *ids, const char *list);  /* split on ','; 0 ok, -1 out of memory */
/* One id per line; blank lines and '#' comments skipped. */
als_status cm_ids_add_file(cm_ids *ids, const char *path, als_diag *d);
void cm_ids_free(cm_ids *ids);

/* Load a model folder, printing the error; returns the exit code (0 on success). */
int cm_load_model(als_model_dir *md, const char *dir);
/* Load the kept samples of a loaded bpmf folder (with the priors fold-in needs), printing the
 * error; returns the exit code (0 on success). */
int cm_load_samples(als_model_dir *md, const char *dir, bool priors);
/* Load an optional movie catalogue (path NULL: nothing); exit code. */
int cm_load_movies(als_movies *mv, const char *path, bool *have);

#endif
